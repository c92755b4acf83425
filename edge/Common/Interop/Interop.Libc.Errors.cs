using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>
    /// errno values the bindings test for. They are the Linux "generic" numbers (asm-generic/errno-base.h, errno.h)
    /// shared by x86-64, arm and arm64, the gateway targets; alpha, mips, parisc and sparc number some differently.
    /// </summary>
    internal static partial class Libc
    {
        internal const int EIntr = 4;
        internal const int EIo = 5;
        internal const int ENxio = 6;
        internal const int EBadf = 9;
        internal const int EAgain = 11;
        internal const int EBusy = 16;
        internal const int ENodev = 19;
        internal const int EInval = 22;
        internal const int ENotty = 25;
        internal const int EPipe = 32;
        internal const int ETimedOut = 110;
        internal const int EInProgress = 115;

        /// <summary>strerror text for an errno value.</summary>
        internal static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);
    }
}
