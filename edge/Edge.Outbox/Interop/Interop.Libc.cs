using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>The glibc calls the outbox needs; nothing outside <c>Interop/</c> calls them directly.</summary>
    internal static partial class Libc
    {
        internal const int ORdOnly = 0x0000;

        /// <summary>O_CLOEXEC has the same value on x86-64, arm and arm64 (unlike O_DIRECTORY, which we avoid).</summary>
        internal const int OCloexec = 0x80000;

        internal const int EIntr = 4;

        /// <summary>adjtimex(2) return value: the clock is not synchronized (STA_UNSYNC set) or in an error state.</summary>
        internal const int TimeError = 5;

        [LibraryImport(Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Open(string path, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "fsync", SetLastError = true)]
        internal static partial int FSync(SafeFileDescriptorHandle fd);

        [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(nint fd);

        /// <summary>
        /// adjtimex(2) with <c>modes = 0</c> only reads; it needs no capability. The return value is the clock state
        /// (TIME_OK … TIME_ERROR), which is all we use, so the struct layout beyond <c>modes</c> does not matter.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "adjtimex", SetLastError = true)]
        internal static partial int Adjtimex(ref TimexBuffer buffer);

        /// <summary>
        /// struct timex from sys/timex.h, kept opaque: <c>modes</c> (unsigned int) is the first member on every ABI;
        /// the rest differs between 32- and 64-bit (long, time_t) and is covered by a size larger than any of them
        /// (208 bytes on x86-64/arm64).
        /// </summary>
        [StructLayout(LayoutKind.Sequential, Size = 512)]
        internal struct TimexBuffer
        {
            internal uint Modes;
        }
    }
}
