// An honest client library's shape: it fetches what its caller names, caches the
// answer in a file, and can open a page in the browser, each in its own method.
// Built with: mcs -target:library -out:Contoso.Weather.dll WeatherClient.cs
using System;
using System.Diagnostics;
using System.IO;
using System.Net;

namespace Contoso.Weather
{
    public class WeatherClient
    {
        readonly string baseUrl;
        readonly string cacheFile;

        public WeatherClient(string baseUrl, string cacheFile)
        {
            this.baseUrl = baseUrl;
            this.cacheFile = cacheFile;
        }

        public string Forecast(string city)
        {
            using (var client = new WebClient())
            {
                return client.DownloadString(baseUrl + "/forecast?city=" + Uri.EscapeDataString(city));
            }
        }

        public void Cache(string forecast)
        {
            File.WriteAllText(cacheFile, forecast);
        }

        public static void OpenDocs()
        {
            Process.Start(new ProcessStartInfo("https://weather.contoso.example/docs") { UseShellExecute = true });
        }
    }
}
