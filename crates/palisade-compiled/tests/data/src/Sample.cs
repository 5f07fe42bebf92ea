// Format features the reader must follow: nested and generic types, a switch, P/Invoke,
// static constructors, strings with quotes, newlines and non-ASCII text.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Sample.Format
{
    public class Outer
    {
        public class Inner
        {
            public string Greet(string name) { return string.Concat("Hello, \"", name, "\"\n"); }
        }

        static readonly List<string> Names = new List<string>();

        static Outer() { Names.Add("grüße"); }

        [DllImport("user32.dll", EntryPoint = "MessageBoxW", CharSet = CharSet.Unicode)]
        static extern int MessageBox(IntPtr owner, string text, string caption, uint type);

        public static string Pick(int n)
        {
            switch (n)
            {
                case 0: return "zero";
                case 1: return "one";
                case 2: return "two";
                case 3: return "three";
                default: return new Inner().Greet(n.ToString());
            }
        }

        public static void Show() { MessageBox(IntPtr.Zero, "text", "caption", 0); }
    }
}
