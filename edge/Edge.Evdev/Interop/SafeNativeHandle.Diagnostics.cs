using Edge.Evdev;

/// <summary>Every SafeHandle of this binding (libevdev and uinput devices, descriptors) counts in <see cref="EvdevNativeDiagnostics"/>.</summary>
internal abstract partial class SafeNativeHandle
{
    static partial void OnCreated() => EvdevNativeDiagnostics.HandleCreated();

    static partial void OnReleased() => EvdevNativeDiagnostics.HandleReleased();
}
