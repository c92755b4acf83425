using Edge.Gpio;

/// <summary>Every SafeHandle of this binding (chips, lines, chip iterators) counts in <see cref="GpioNativeDiagnostics"/>.</summary>
internal abstract partial class SafeNativeHandle
{
    static partial void OnCreated() => GpioNativeDiagnostics.HandleCreated();

    static partial void OnReleased() => GpioNativeDiagnostics.HandleReleased();
}
