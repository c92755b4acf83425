using System.Runtime.InteropServices;
using Edge.Mqtt;

/// <summary>
/// Owns one <c>struct mosquitto</c> and the GCHandle passed to <c>mosquitto_new</c> as the callbacks' userdata.
/// Release destroys the client first (closing its socket and socketpair, so no callback can run any more) and
/// frees the GCHandle after it: a callback can never see a freed handle.
/// </summary>
internal sealed class SafeMosquittoHandle : SafeHandle
{
    private nint _userData;

    internal SafeMosquittoHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>Takes ownership of a client from <c>mosquitto_new</c> and of the GCHandle given to it as userdata.</summary>
    internal static SafeMosquittoHandle Own(nint mosq, nint userData)
    {
        var h = new SafeMosquittoHandle();
        h.SetHandle(mosq);
        h._userData = userData;
        if (mosq != nint.Zero)
        {
            MqttNativeDiagnostics.ClientCreated();
        }

        return h;
    }

    protected override bool ReleaseHandle()
    {
        Interop.Libmosquitto.Destroy(handle);
        if (_userData != nint.Zero)
        {
            GCHandle.FromIntPtr(_userData).Free();
            _userData = nint.Zero;
        }

        MqttNativeDiagnostics.ClientReleased();
        return true;
    }
}

/// <summary>
/// Owns one <c>mosquitto_property</c> list we build for CONNECT, PUBLISH or the Will. Starts empty (NULL); the
/// first add allocates the list. libmosquitto copies lists it is given, except the Will's (see
/// <see cref="Release"/>).
/// </summary>
internal sealed unsafe class SafeMosquittoPropertyListHandle : SafeHandle
{
    internal SafeMosquittoPropertyListHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>The list head for a native call, or NULL when nothing was added; valid while this handle lives.</summary>
    internal nint List => handle;

    internal int AddInt32(int identifier, uint value)
    {
        var list = handle;
        var rc = Interop.Libmosquitto.PropertyAddInt32(&list, identifier, value);
        Adopt(list);
        return rc;
    }

    internal int AddString(int identifier, string value)
    {
        var list = handle;
        var rc = Interop.Libmosquitto.PropertyAddString(&list, identifier, value);
        Adopt(list);
        return rc;
    }

    internal int AddStringPair(int identifier, string name, string value)
    {
        var list = handle;
        var rc = Interop.Libmosquitto.PropertyAddStringPair(&list, identifier, name, value);
        Adopt(list);
        return rc;
    }

    /// <summary>
    /// Hands the list to libmosquitto (mosquitto_will_set_v5 owns it on success): this handle forgets it without
    /// freeing it.
    /// </summary>
    internal void Release()
    {
        if (!IsInvalid)
        {
            SetHandleAsInvalid();
            MqttNativeDiagnostics.PropertyListReleased();
        }
    }

    protected override bool ReleaseHandle()
    {
        var list = handle;
        Interop.Libmosquitto.PropertyFreeAll(&list);
        MqttNativeDiagnostics.PropertyListReleased();
        return true;
    }

    private void Adopt(nint list)
    {
        // Only the first add moves the head (NULL → new list); later adds append to it.
        if (list != handle)
        {
            var wasEmpty = handle == nint.Zero;
            SetHandle(list);
            if (wasEmpty)
            {
                MqttNativeDiagnostics.PropertyListCreated();
            }
        }
    }
}
