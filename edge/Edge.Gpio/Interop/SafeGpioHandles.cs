using System.Runtime.InteropServices;

namespace Edge.Gpio;

/// <summary>Owns one <c>struct gpiod_chip</c> (and with it every <c>gpiod_line</c> object of the chip).</summary>
internal sealed class SafeGpioChipHandle : SafeHandle
{
    public SafeGpioChipHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    internal SafeGpioChipHandle(IntPtr chip)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(chip);
        GpioNativeDiagnostics.HandleCreated();
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Interop.Libgpiod.ChipClose(handle);
        GpioNativeDiagnostics.HandleReleased();
        return true;
    }
}

/// <summary>
/// One requested line. The <c>gpiod_line</c> memory belongs to the chip, so this handle keeps the chip handle
/// referenced until the line is released: a chip can never be closed under a line still in use.
/// </summary>
internal sealed class SafeGpioLineHandle : SafeHandle
{
    private readonly SafeGpioChipHandle? _chip;

    public SafeGpioLineHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    /// <param name="line">A line that gpiod_line_request succeeded on.</param>
    /// <param name="chip">The owning chip; the caller has already called DangerousAddRef on it.</param>
    internal SafeGpioLineHandle(IntPtr line, SafeGpioChipHandle chip)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _chip = chip;
        SetHandle(line);
        GpioNativeDiagnostics.HandleCreated();
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Interop.Libgpiod.LineRelease(handle);
        _chip?.DangerousRelease();
        GpioNativeDiagnostics.HandleReleased();
        return true;
    }
}

/// <summary>Owns one <c>struct gpiod_chip_iter</c> (which closes the chips it opened).</summary>
internal sealed class SafeGpioChipIteratorHandle : SafeHandle
{
    public SafeGpioChipIteratorHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    internal SafeGpioChipIteratorHandle(IntPtr iterator)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(iterator);
        GpioNativeDiagnostics.HandleCreated();
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Interop.Libgpiod.ChipIterFree(handle);
        GpioNativeDiagnostics.HandleReleased();
        return true;
    }
}
