using Edge.Serial;

/// <summary>Every SafeHandle of this binding (ports, configurations, descriptors) counts in <see cref="SerialNativeDiagnostics"/>.</summary>
internal abstract partial class SafeNativeHandle
{
    static partial void OnCreated() => SerialNativeDiagnostics.HandleCreated();

    static partial void OnReleased() => SerialNativeDiagnostics.HandleReleased();
}
