using System.Runtime.InteropServices;

namespace Edge.Gpio.Internal;

/// <summary>The one place where libgpiod failures (NULL or -1 with errno) become <see cref="GpioException"/>s.</summary>
internal static class GpioProxy
{
    internal static GpioException Error(string chip, int? offset, string operation, int errno, string? detail = null) =>
        new(chip, offset, operation, errno, Interop.Libc.ErrorText(errno), detail);

    internal static GpioException LastError(string chip, int? offset, string operation, string? detail = null) =>
        Error(chip, offset, operation, Marshal.GetLastPInvokeError(), detail);

    internal static int Check(int result, string chip, int? offset, string operation)
    {
        if (result < 0)
        {
            throw LastError(chip, offset, operation);
        }

        return result;
    }
}
