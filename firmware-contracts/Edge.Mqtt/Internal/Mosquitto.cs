using System.Runtime.InteropServices;
using System.Text;

namespace Edge.Mqtt.Internal;

/// <summary>
/// The checked proxy over <see cref="Interop.Libmosquitto"/>: process-wide initialisation, configuring a client
/// from options (failures become <see cref="MqttException"/>s), and the calls the client makes on its hot paths,
/// which return the raw code so the caller can decide what a failure means there.
/// </summary>
internal static unsafe class Mosquitto
{
    private static readonly Lazy<Version> s_library = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly MqttUserProperty[] s_noProperties = [];

    /// <summary>The libmosquitto version loaded; the first call runs mosquitto_lib_init (not thread-safe, hence the lazy).</summary>
    internal static Version LibraryVersion => s_library.Value;

    internal static void EnsureInitialized() => _ = s_library.Value;

    /// <summary>Creates a client whose callbacks find <paramref name="userData"/> (a GCHandle) and configures it; the handle owns both.</summary>
    internal static SafeMosquittoHandle Create(MqttClientOptions o, nint userData)
    {
        EnsureInitialized();
        var id = string.IsNullOrEmpty(o.ClientId) ? null : o.ClientId;
        var mosq = Interop.Libmosquitto.New(id, o.CleanStart, userData);
        if (mosq == nint.Zero)
        {
            var errno = Marshal.GetLastPInvokeError();
            GCHandle.FromIntPtr(userData).Free();
            throw MqttErrors.FromNative(Interop.Libmosquitto.ErrErrno, "mosquitto_new", errno);
        }

        var handle = SafeMosquittoHandle.Own(mosq, userData);
        try
        {
            Configure(handle, o);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        return handle;
    }

    internal static int Connect(SafeMosquittoHandle h, MqttClientOptions o, out int errno)
    {
        using var props = new SafeMosquittoPropertyListHandle();
        if (o.ProtocolVersion == MqttProtocolVersion.V500 && o.SessionExpiryInterval != TimeSpan.Zero)
        {
            var seconds = o.SessionExpiryInterval == Timeout.InfiniteTimeSpan ? uint.MaxValue : (uint)o.SessionExpiryInterval.TotalSeconds;
            MqttErrors.Check(props.AddInt32(Interop.Libmosquitto.PropSessionExpiryInterval, seconds), "Setting the session expiry interval");
        }

        var rc = Interop.Libmosquitto.ConnectBindV5(h, o.Host, o.Port, (int)o.KeepAlive.TotalSeconds, o.BindAddress, props.List);
        errno = rc == Interop.Libmosquitto.ErrErrno ? Marshal.GetLastPInvokeError() : 0;
        return rc;
    }

    /// <summary>
    /// Reconnects after a lost connection. Unlike <see cref="Connect"/> (mosquitto_connect_bind_v5, which closes and
    /// recreates the socketpair other threads' publishes write their wake-up byte to), this keeps the socketpair,
    /// and libmosquitto 2.0 resends the CONNECT properties stored by the last connect.
    /// </summary>
    internal static int Reconnect(SafeMosquittoHandle h, out int errno)
    {
        var rc = Interop.Libmosquitto.Reconnect(h);
        errno = rc == Interop.Libmosquitto.ErrErrno ? Marshal.GetLastPInvokeError() : 0;
        return rc;
    }

    internal static int Disconnect(SafeMosquittoHandle h, MqttDisconnectReason reason) =>
        Interop.Libmosquitto.DisconnectV5(h, (int)reason, nint.Zero);

    internal static int Publish(SafeMosquittoHandle h, MqttMessage m, bool withProperties, out int mid)
    {
        SafeMosquittoPropertyListHandle? props = null;
        try
        {
            if (withProperties && m.UserProperties.Count > 0)
            {
                props = new SafeMosquittoPropertyListHandle();
                foreach (var p in m.UserProperties)
                {
                    var prc = props.AddStringPair(Interop.Libmosquitto.PropUserProperty, p.Name, p.Value);
                    if (prc != Interop.Libmosquitto.ErrSuccess)
                    {
                        mid = 0;
                        return prc;
                    }
                }
            }

            int localMid;
            int rc;
            fixed (byte* payload = m.Payload.Span)
            {
                rc = Interop.Libmosquitto.PublishV5(h, &localMid, m.Topic, m.Payload.Length, payload, (int)m.Qos, m.Retain, props?.List ?? nint.Zero);
            }

            mid = localMid;
            return rc;
        }
        finally
        {
            // libmosquitto copied the list (QoS > 0 keeps its own copy for resending).
            props?.Dispose();
        }
    }

    internal static int Subscribe(SafeMosquittoHandle h, MqttSubscription s, bool v5, out int mid)
    {
        var options = 0;
        if (v5)
        {
            // The option bits share the byte with the QoS; MQTT 3.1.1 brokers reject them as malformed.
            options |= s.NoLocal ? Interop.Libmosquitto.SubOptNoLocal : 0;
            options |= s.RetainAsPublished ? Interop.Libmosquitto.SubOptRetainAsPublished : 0;
            options |= s.RetainHandling switch
            {
                MqttRetainHandling.SendAtSubscribeIfNew => Interop.Libmosquitto.SubOptSendRetainNew,
                MqttRetainHandling.DoNotSend => Interop.Libmosquitto.SubOptSendRetainNever,
                _ => 0,
            };
        }

        int localMid;
        var rc = Interop.Libmosquitto.SubscribeV5(h, &localMid, s.Filter, (int)s.Qos, options, nint.Zero);
        mid = localMid;
        return rc;
    }

    internal static int Unsubscribe(SafeMosquittoHandle h, string filter, out int mid)
    {
        int localMid;
        var rc = Interop.Libmosquitto.UnsubscribeV5(h, &localMid, filter, nint.Zero);
        mid = localMid;
        return rc;
    }

    /// <summary>Copies the user properties out of a list libmosquitto passed to a callback (it frees the list afterwards).</summary>
    internal static IReadOnlyList<MqttUserProperty> ReadUserProperties(nint properties)
    {
        if (properties == nint.Zero)
        {
            return s_noProperties;
        }

        List<MqttUserProperty>? list = null;
        byte* name = null;
        byte* value = null;
        var p = Interop.Libmosquitto.PropertyReadStringPair(properties, Interop.Libmosquitto.PropUserProperty, &name, &value, skipFirst: false);
        while (p != nint.Zero)
        {
            try
            {
                (list ??= []).Add(new MqttUserProperty(Utf8(name), Utf8(value)));
            }
            finally
            {
                // Both strings are malloc'd copies that the application must free (mosquitto.h).
                NativeMemory.Free(name);
                NativeMemory.Free(value);
                name = null;
                value = null;
            }

            p = Interop.Libmosquitto.PropertyReadStringPair(p, Interop.Libmosquitto.PropUserProperty, &name, &value, skipFirst: true);
        }

        return list is null ? s_noProperties : list.ToArray();
    }

    /// <summary>The MQTT 5 Reason String property (0x1F) of a CONNACK, PUBACK or DISCONNECT, or null.</summary>
    internal static string? ReadReasonString(nint properties)
    {
        if (properties == nint.Zero)
        {
            return null;
        }

        byte* value = null;
        if (Interop.Libmosquitto.PropertyReadString(properties, Interop.Libmosquitto.PropReasonString, &value, skipFirst: false) == nint.Zero)
        {
            return null;
        }

        try
        {
            return Utf8(value);
        }
        finally
        {
            NativeMemory.Free(value);
        }
    }

    internal static string Utf8(byte* s) => s is null ? string.Empty : Marshal.PtrToStringUTF8((nint)s) ?? string.Empty;

    private static void Configure(SafeMosquittoHandle h, MqttClientOptions o)
    {
        var v5 = o.ProtocolVersion == MqttProtocolVersion.V500;

        // Our own thread calls mosquitto_loop while other threads publish: libmosquitto must take its locks and
        // queue packets for the loop instead of writing on the caller's thread.
        MqttErrors.Check(Interop.Libmosquitto.ThreadedSet(h, true), "mosquitto_threaded_set");
        MqttErrors.Check(Interop.Libmosquitto.IntOption(h, Interop.Libmosquitto.OptProtocolVersion, (int)o.ProtocolVersion), "Setting Mqtt:ProtocolVersion");
        MqttErrors.Check(Interop.Libmosquitto.IntOption(h, Interop.Libmosquitto.OptSendMaximum, o.MaxInflightMessages), "Setting Mqtt:MaxInflightMessages");
        if (v5)
        {
            MqttErrors.Check(Interop.Libmosquitto.IntOption(h, Interop.Libmosquitto.OptReceiveMaximum, o.ReceiveMaximum), "Setting Mqtt:ReceiveMaximum");
        }

        if (o.TcpNoDelay)
        {
            MqttErrors.Check(Interop.Libmosquitto.IntOption(h, Interop.Libmosquitto.OptTcpNoDelay, 1), "Setting Mqtt:TcpNoDelay");
        }

        if (o.UserName is not null)
        {
            MqttErrors.Check(Interop.Libmosquitto.UsernamePwSet(h, o.UserName, o.Password), "Setting Mqtt:UserName and Mqtt:Password");
        }

        if (o.Tls is { } tls)
        {
            MqttErrors.Check(
                Interop.Libmosquitto.TlsSet(h, NullIfEmpty(tls.CaFile), NullIfEmpty(tls.CaPath), NullIfEmpty(tls.CertificateFile), NullIfEmpty(tls.KeyFile), nint.Zero),
                "Setting Mqtt:Tls (CA, certificate and key files)");
            MqttErrors.Check(Interop.Libmosquitto.TlsInsecureSet(h, !tls.VerifyHostname), "Setting Mqtt:Tls:VerifyHostname");
            if (tls.Version is not null)
            {
                // cert_reqs 1 = SSL_VERIFY_PEER: the chain is always verified.
                MqttErrors.Check(Interop.Libmosquitto.TlsOptsSet(h, 1, tls.Version, null), "Setting Mqtt:Tls:Version");
            }
        }

        if (o.Will is { } will)
        {
            SetWill(h, will, v5);
        }

        NativeCallbacks.Install(h);
    }

    private static void SetWill(SafeMosquittoHandle h, MqttWillOptions will, bool v5)
    {
        var props = new SafeMosquittoPropertyListHandle();
        try
        {
            if (v5)
            {
                foreach (var p in will.UserProperties)
                {
                    MqttErrors.Check(props.AddStringPair(Interop.Libmosquitto.PropUserProperty, p.Name, p.Value), "Adding a Mqtt:Will:UserProperties entry");
                }

                if (will.Delay > TimeSpan.Zero)
                {
                    MqttErrors.Check(props.AddInt32(Interop.Libmosquitto.PropWillDelayInterval, (uint)will.Delay.TotalSeconds), "Setting Mqtt:Will:Delay");
                }
            }

            int rc;
            fixed (byte* payload = will.Payload)
            {
                rc = Interop.Libmosquitto.WillSetV5(h, will.Topic, will.Payload.Length, payload, (int)will.Qos, will.Retain, props.List);
            }

            MqttErrors.Check(rc, "Setting Mqtt:Will");

            // On success libmosquitto owns the list and frees it with the client.
            props.Release();
        }
        finally
        {
            props.Dispose();
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static Version Initialize()
    {
        try
        {
            var rc = Interop.Libmosquitto.LibInit();
            MqttErrors.Check(rc, "mosquitto_lib_init");
            int major, minor, revision;
            _ = Interop.Libmosquitto.LibVersion(&major, &minor, &revision);
            if (major < 2)
            {
                throw new MqttException($"{Interop.Libraries.Libmosquitto} is version {major}.{minor}.{revision}; Edge.Mqtt needs 2.0 or later for PUBACK reason codes (Debian package {Interop.Libraries.LibmosquittoPackage} from bullseye or later).");
            }

            return new Version(major, minor, revision);
        }
        catch (DllNotFoundException ex)
        {
            throw new MqttException($"The native library {Interop.Libraries.Libmosquitto} was not found; install the Debian package {Interop.Libraries.LibmosquittoPackage}.", ex);
        }
    }

    /// <summary>Reuses the last decoded topic when the next message arrives on the same one (the common case for a stream).</summary>
    internal sealed class TopicCache
    {
        private byte[] _bytes = [];
        private string _topic = string.Empty;

        internal string Get(byte* topic)
        {
            if (topic is null)
            {
                return string.Empty;
            }

            var span = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(topic);
            if (!span.SequenceEqual(_bytes))
            {
                _bytes = span.ToArray();
                _topic = Encoding.UTF8.GetString(span);
            }

            return _topic;
        }
    }
}
