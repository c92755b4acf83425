using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Edge.Mqtt.Internal;

/// <summary>
/// The functions libmosquitto calls back, always on the client's loop thread (inside mosquitto_loop). Each finds
/// its client through the GCHandle given to mosquitto_new as userdata, lets it copy what it needs, and catches
/// everything: an exception must never unwind into C.
/// </summary>
[SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "An exception escaping an UnmanagedCallersOnly method terminates the process.")]
internal static unsafe class NativeCallbacks
{
    internal static void Install(SafeMosquittoHandle h)
    {
        Interop.Libmosquitto.ConnectV5CallbackSet(h, &OnConnect);
        Interop.Libmosquitto.DisconnectV5CallbackSet(h, &OnDisconnect);
        Interop.Libmosquitto.PublishV5CallbackSet(h, &OnPublish);
        Interop.Libmosquitto.MessageV5CallbackSet(h, &OnMessage);
        Interop.Libmosquitto.SubscribeV5CallbackSet(h, &OnSubscribe);
        Interop.Libmosquitto.UnsubscribeV5CallbackSet(h, &OnUnsubscribe);
        SetLogging(h, enabled: true);
    }

    /// <summary>
    /// libmosquitto formats a debug line for every packet whenever a log callback is set (malloc + vsnprintf +
    /// a call into managed code, twice per QoS 1 message), so the client listens only while a connection is being
    /// set up, which is when its errors (OpenSSL's reasons for a TLS failure) are not visible any other way.
    /// </summary>
    internal static void SetLogging(SafeMosquittoHandle h, bool enabled) =>
        Interop.Libmosquitto.LogCallbackSet(h, enabled ? &OnLog : null);

    [UnmanagedCallersOnly]
    private static void OnConnect(nint mosq, nint userData, int rc, int flags, nint properties)
    {
        var client = Resolve(userData);
        try
        {
            client?.OnNativeConnect(rc, flags, properties);
        }
        catch (Exception ex)
        {
            Report(client, ex);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnDisconnect(nint mosq, nint userData, int rc, nint properties)
    {
        var client = Resolve(userData);
        try
        {
            client?.OnNativeDisconnect(rc, properties);
        }
        catch (Exception ex)
        {
            Report(client, ex);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnPublish(nint mosq, nint userData, int mid, int reasonCode, nint properties)
    {
        var client = Resolve(userData);
        try
        {
            client?.OnNativeAcknowledge(mid, reasonCode, properties);
        }
        catch (Exception ex)
        {
            Report(client, ex);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnMessage(nint mosq, nint userData, Interop.Libmosquitto.Message* message, nint properties)
    {
        var client = Resolve(userData);
        try
        {
            client?.OnNativeMessage(message, properties);
        }
        catch (Exception ex)
        {
            Report(client, ex);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnSubscribe(nint mosq, nint userData, int mid, int count, int* granted, nint properties)
    {
        var client = Resolve(userData);
        try
        {
            // One filter per SUBSCRIBE (see MqttClient.SubscribeAsync), so one granted QoS or failure code.
            var code = count > 0 && granted is not null ? granted[0] : (int)MqttReasonCode.UnspecifiedError;
            client?.OnNativeAcknowledge(mid, code, properties);
        }
        catch (Exception ex)
        {
            Report(client, ex);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnUnsubscribe(nint mosq, nint userData, int mid, nint properties)
    {
        var client = Resolve(userData);
        try
        {
            client?.OnNativeAcknowledge(mid, 0, properties);
        }
        catch (Exception ex)
        {
            Report(client, ex);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnLog(nint mosq, nint userData, int level, byte* text)
    {
        var client = Resolve(userData);
        try
        {
            client?.OnNativeLog(level, text);
        }
        catch (Exception ex)
        {
            Report(client, ex);
        }
    }

    private static MqttClient? Resolve(nint userData)
    {
        try
        {
            return userData == nint.Zero ? null : GCHandle.FromIntPtr(userData).Target as MqttClient;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static void Report(MqttClient? client, Exception ex)
    {
        try
        {
            client?.OnCallbackFailure(ex);
        }
        catch (Exception)
        {
            // Nothing more can be done on a native thread.
        }
    }
}
