using System.Globalization;
using System.Runtime.InteropServices;

namespace Edge.Mqtt.Internal;

/// <summary>
/// The one place that turns libmosquitto return codes, CONNACK codes and MQTT 5 reason codes into
/// <see cref="MqttException"/>s, with the native text and a cause a person can act on.
/// </summary>
internal static unsafe class MqttErrors
{
    internal static string NativeText(int rc) => Marshal.PtrToStringUTF8((nint)Interop.Libmosquitto.StrError(rc)) ?? $"error {rc}";

    internal static string ReasonText(int reasonCode) => Marshal.PtrToStringUTF8((nint)Interop.Libmosquitto.ReasonString(reasonCode)) ?? $"reason code {reasonCode}";

    internal static void Check(int rc, string operation)
    {
        if (rc != Interop.Libmosquitto.ErrSuccess)
        {
            throw FromNative(rc, operation);
        }
    }

    /// <summary>A libmosquitto call or the connection failed with <paramref name="rc"/> (a <c>mosq_err_t</c>).</summary>
    /// <param name="rc">The return code.</param>
    /// <param name="operation">What was being done, e.g. "Connecting to 10.0.0.5:1883".</param>
    /// <param name="errno">errno when <paramref name="rc"/> is MOSQ_ERR_ERRNO and it was captured, else 0.</param>
    /// <param name="detail">Extra text, e.g. libmosquitto's last logged error (OpenSSL's reason for a TLS failure).</param>
    internal static MqttException FromNative(int rc, string operation, int errno = 0, string? detail = null)
    {
        var text = NativeText(rc);
        if (rc == Interop.Libmosquitto.ErrErrno && errno != 0)
        {
            text = $"{text} ({Marshal.GetPInvokeErrorMessage(errno)}, errno {errno})";
        }

        var hint = rc switch
        {
            Interop.Libmosquitto.ErrTls or Interop.Libmosquitto.ErrTlsHandshake =>
                " Check that Mqtt:Tls:CaFile signed the broker certificate, that the certificate names Mqtt:Host (or set Mqtt:Tls:VerifyHostname false on a test bench), and that a client certificate is configured if the broker requires one.",
            Interop.Libmosquitto.ErrKeepalive => " No PINGRESP arrived within the keepalive interval.",
            _ => string.Empty,
        };
        var message = string.Create(CultureInfo.InvariantCulture, $"{operation} failed: {text} (MOSQ_ERR {rc}).{(detail is null ? string.Empty : " " + detail)}{hint}");
        return new MqttException(message, (MqttNativeError)rc, text, null, null, IsTransientNative(rc));
    }

    /// <summary>The broker refused CONNECT. <paramref name="code"/> is an MQTT 5 reason code, or a 3.1.1 return code.</summary>
    internal static MqttException FromConnack(int code, MqttProtocolVersion version, string endpoint, string? serverReason)
    {
        var reason = version == MqttProtocolVersion.V311 ? MapConnackV311(code) : (MqttReasonCode)code;
        var text = version == MqttProtocolVersion.V311
            ? Marshal.PtrToStringUTF8((nint)Interop.Libmosquitto.ConnackString(code)) ?? $"return code {code}"
            : ReasonText(code);
        var cause = reason switch
        {
            MqttReasonCode.BadUserNameOrPassword => "bad user name or password (check Mqtt:UserName and Mqtt:Password)",
            MqttReasonCode.NotAuthorized => "not authorized (wrong credentials, or this client may not connect)",
            MqttReasonCode.ClientIdentifierNotValid => "client identifier rejected (check Mqtt:ClientId)",
            MqttReasonCode.UnsupportedProtocolVersion => "protocol version not supported (check Mqtt:ProtocolVersion)",
            MqttReasonCode.Banned => "this client is banned",
            MqttReasonCode.ServerUnavailable or MqttReasonCode.ServerBusy => "the broker is unavailable or busy",
            _ => "refused",
        };
        var full = serverReason is null ? text : $"{text}; broker says: {serverReason}";
        var codeText = version == MqttProtocolVersion.V311 ? $"CONNACK return code {code}" : $"CONNACK reason code 0x{code:X2}";
        var message = string.Create(CultureInfo.InvariantCulture, $"The broker at {endpoint} refused the connection: {cause} ({codeText}: {full}).");
        return new MqttException(message, MqttNativeError.ConnectionRefused, NativeText(Interop.Libmosquitto.ErrConnRefused), reason, full, IsTransientReason(reason));
    }

    /// <summary>The broker answered an operation (PUBACK, SUBACK) or ended the connection (DISCONNECT) with a failure reason code.</summary>
    internal static MqttException FromReasonCode(int code, string operation, string? serverReason)
    {
        var reason = (MqttReasonCode)code;
        var text = ReasonText(code);
        var full = serverReason is null ? text : $"{text}; broker says: {serverReason}";
        var cause = reason == MqttReasonCode.NotAuthorized ? " (denied by the broker's ACL)" : string.Empty;
        var message = string.Create(CultureInfo.InvariantCulture, $"{operation} failed: reason code 0x{code:X2} {full}{cause}.");
        return new MqttException(message, MqttNativeError.Success, string.Empty, reason, full, IsTransientReason(reason));
    }

    internal static MqttException Timeout(string operation, TimeSpan timeout, string? consequence = null) =>
        new(
            string.Create(CultureInfo.InvariantCulture, $"{operation} timed out after {timeout.TotalSeconds:0.###} s.{(consequence is null ? string.Empty : " " + consequence)}"),
            MqttNativeError.Timeout,
            NativeText(Interop.Libmosquitto.ErrTimeout),
            null,
            null,
            isTransient: true);

    internal static MqttException NotConnected(string operation, MqttConnectionState state) =>
        new(
            $"{operation} failed: the client is not connected (state {state}). Nothing was queued; send it again after reconnecting.",
            MqttNativeError.NoConnection,
            NativeText(Interop.Libmosquitto.ErrNoConn),
            null,
            null,
            isTransient: true);

    internal static MqttException ConnectionLost(string operation, MqttException? cause) =>
        new(
            $"{operation} failed: the connection ended before the broker answered{(cause is null ? "." : ": " + cause.Message)}",
            MqttNativeError.ConnectionLost,
            NativeText(Interop.Libmosquitto.ErrConnLost),
            cause?.ReasonCode,
            cause?.ReasonText,
            isTransient: true);

    internal static MqttException Closed(string operation, string why) =>
        new($"{operation} failed: {why}.", MqttNativeError.NoConnection, NativeText(Interop.Libmosquitto.ErrNoConn), null, null, isTransient: false);

    internal static MqttException SubscribeRefused(IReadOnlyList<MqttSubscribeResult> results)
    {
        var failed = results.Where(r => !r.IsGranted).ToList();
        var list = string.Join("; ", failed.Select(r => string.Create(CultureInfo.InvariantCulture, $"'{r.Filter}': 0x{(int)r.ReasonCode:X2} {ReasonText((int)r.ReasonCode)}")));
        var first = (int)failed[0].ReasonCode;
        return new MqttException(
            $"The broker refused {failed.Count} of {results.Count} subscription(s): {list}.",
            MqttNativeError.Success,
            string.Empty,
            failed[0].ReasonCode,
            ReasonText(first),
            isTransient: false);
    }

    /// <summary>MQTT 3.1.1 CONNACK return codes (§3.2.2.3) onto their MQTT 5 equivalents.</summary>
    internal static MqttReasonCode MapConnackV311(int code) => code switch
    {
        0 => MqttReasonCode.Success,
        1 => MqttReasonCode.UnsupportedProtocolVersion,
        2 => MqttReasonCode.ClientIdentifierNotValid,
        3 => MqttReasonCode.ServerUnavailable,
        4 => MqttReasonCode.BadUserNameOrPassword,
        5 => MqttReasonCode.NotAuthorized,
        _ => MqttReasonCode.UnspecifiedError,
    };

    private static bool IsTransientNative(int rc) => rc switch
    {
        Interop.Libmosquitto.ErrErrno or Interop.Libmosquitto.ErrConnLost or Interop.Libmosquitto.ErrNoConn
            or Interop.Libmosquitto.ErrKeepalive or Interop.Libmosquitto.ErrEai or Interop.Libmosquitto.ErrLookup
            or Interop.Libmosquitto.ErrTimeout or Interop.Libmosquitto.ErrNoMem or Interop.Libmosquitto.ErrConnPending => true,
        _ => false,
    };

    private static bool IsTransientReason(MqttReasonCode reason) => reason is MqttReasonCode.ServerUnavailable or MqttReasonCode.ServerBusy
        or MqttReasonCode.ConnectionRateExceeded or MqttReasonCode.UseAnotherServer or MqttReasonCode.ServerMoved
        or MqttReasonCode.ServerShuttingDown or MqttReasonCode.KeepAliveTimeout or MqttReasonCode.SessionTakenOver
        or MqttReasonCode.QuotaExceeded or MqttReasonCode.MessageRateTooHigh or MqttReasonCode.AdministrativeAction
        or MqttReasonCode.MaximumConnectTime or MqttReasonCode.ImplementationSpecificError or MqttReasonCode.UnspecifiedError;
}
