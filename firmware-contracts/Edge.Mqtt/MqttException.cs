namespace Edge.Mqtt;

/// <summary>
/// An MQTT operation failed: libmosquitto returned an error (<see cref="NativeError"/> with mosquitto_strerror's
/// text), or the broker answered with a failure reason code (<see cref="ReasonCode"/> with mosquitto_reason_string's
/// text), or an acknowledgement did not arrive in time (<see cref="MqttNativeError.Timeout"/>). Every error this
/// assembly raises for I/O is this type.
/// </summary>
public class MqttException : IOException
{
    /// <summary>Creates an error with only a message.</summary>
    public MqttException()
    {
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an error with only a message.</summary>
    public MqttException(string message)
        : base(message)
    {
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an error with a message and an inner exception.</summary>
    public MqttException(string message, Exception innerException)
        : base(message, innerException)
    {
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an error with every detail; <see cref="Internal.MqttErrors"/> is the one place that calls this.</summary>
    internal MqttException(string message, MqttNativeError nativeError, string nativeMessage, MqttReasonCode? reasonCode, string? reasonText, bool isTransient)
        : base(message)
    {
        NativeError = nativeError;
        NativeMessage = nativeMessage;
        ReasonCode = reasonCode;
        ReasonText = reasonText;
        IsTransient = isTransient;
        HResult = (int)nativeError;
    }

    /// <summary>libmosquitto's error code (<c>mosq_err_t</c>); <see cref="MqttNativeError.Success"/> when the broker's reason code is the whole story.</summary>
    public MqttNativeError NativeError { get; }

    /// <summary>mosquitto_strerror's text for <see cref="NativeError"/>.</summary>
    public string NativeMessage { get; }

    /// <summary>The broker's MQTT 5 reason code (CONNACK, PUBACK, SUBACK, DISCONNECT), when there was one.</summary>
    public MqttReasonCode? ReasonCode { get; }

    /// <summary>mosquitto_reason_string's text for <see cref="ReasonCode"/>, plus the broker's reason-string property if it sent one.</summary>
    public string? ReasonText { get; }

    /// <summary>Whether trying again later may succeed (connection refused or lost, server busy) as opposed to a configuration or permission problem.</summary>
    public bool IsTransient { get; }
}
