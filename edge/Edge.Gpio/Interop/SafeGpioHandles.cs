namespace Edge.Gpio;

/// <summary>Owns one <c>struct gpiod_chip</c> (and with it every <c>gpiod_line</c> object of the chip).</summary>
internal sealed class SafeGpioChipHandle(IntPtr chip) : SafeNativeHandle(chip, IntPtr.Zero)
{
    protected override void Free() => Interop.Libgpiod.ChipClose(handle);
}

/// <summary>
/// One requested line. The <c>gpiod_line</c> memory belongs to the chip, so this handle keeps the chip handle
/// referenced until the line is released: a chip can never be closed under a line still in use.
/// </summary>
/// <param name="line">A line that gpiod_line_request succeeded on.</param>
/// <param name="chip">The owning chip; the caller has already called DangerousAddRef on it.</param>
internal sealed class SafeGpioLineHandle(IntPtr line, SafeGpioChipHandle chip) : SafeNativeHandle(line, IntPtr.Zero)
{
    protected override void Free()
    {
        Interop.Libgpiod.LineRelease(handle);
        chip.DangerousRelease();
    }
}

/// <summary>Owns one <c>struct gpiod_chip_iter</c> (which closes the chips it opened).</summary>
internal sealed class SafeGpioChipIteratorHandle(IntPtr iterator) : SafeNativeHandle(iterator, IntPtr.Zero)
{
    protected override void Free() => Interop.Libgpiod.ChipIterFree(handle);
}
