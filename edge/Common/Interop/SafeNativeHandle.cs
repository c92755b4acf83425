using System.Runtime.InteropServices;

/// <summary>
/// Base of a binding's SafeHandles, one subclass per native object: the subclass names in <see cref="Free"/> the one
/// native call that frees its object; this class keeps the part every handle shares. Each binding compiles its own
/// copy of this file, so it reports created and released handles to that binding's NativeDiagnostics through the
/// partial methods below, which a binding without handle counts leaves unimplemented.
/// </summary>
internal abstract partial class SafeNativeHandle : SafeHandle
{
    private readonly IntPtr _invalidValue;

    /// <param name="handle">What the native call returned; a handle equal to <paramref name="invalidValue"/> owns nothing.</param>
    /// <param name="invalidValue">The value that means "no object": null for pointers, -1 for descriptors.</param>
    protected SafeNativeHandle(IntPtr handle, IntPtr invalidValue)
        : base(invalidValue, ownsHandle: true)
    {
        _invalidValue = invalidValue;
        SetHandle(handle);
        if (handle != invalidValue)
        {
            OnCreated();
        }
    }

    public sealed override bool IsInvalid => handle == _invalidValue;

    protected sealed override bool ReleaseHandle()
    {
        Free();
        OnReleased();
        return true;
    }

    /// <summary>Frees the native object. Runs at most once, possibly on the finalizer thread, and must never throw.</summary>
    protected abstract void Free();

    static partial void OnCreated();

    static partial void OnReleased();
}
