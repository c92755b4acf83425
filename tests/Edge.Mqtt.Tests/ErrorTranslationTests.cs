using Edge.Mqtt.Internal;

namespace Edge.Mqtt.Tests;

public sealed class ErrorTranslationTests
{
    [Fact]
    public void Native_error_carries_code_and_mosquitto_strerror_text()
    {
        var ex = MqttErrors.FromNative(14, "Connecting to 127.0.0.1:1", errno: 111);
        Assert.Equal(MqttNativeError.Errno, ex.NativeError);
        Assert.False(string.IsNullOrEmpty(ex.NativeMessage));
        Assert.Contains("Connection refused", ex.Message, StringComparison.Ordinal);
        Assert.Contains("errno 111", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.IsTransient);
        Assert.IsAssignableFrom<IOException>(ex);
    }

    [Fact]
    public void Tls_error_is_permanent_and_points_at_the_settings_to_check()
    {
        var ex = MqttErrors.FromNative(8, "Connecting to broker:8883", detail: "libmosquitto: OpenSSL Error[0]: certificate verify failed");
        Assert.Equal(MqttNativeError.Tls, ex.NativeError);
        Assert.False(ex.IsTransient);
        Assert.Contains("certificate verify failed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Mqtt:Tls:VerifyHostname", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connack_bad_credentials_names_the_cause_and_the_mqtt5_reason_code()
    {
        var ex = MqttErrors.FromConnack(0x86, MqttProtocolVersion.V500, "10.0.0.5:1883", serverReason: null);
        Assert.Equal(MqttReasonCode.BadUserNameOrPassword, ex.ReasonCode);
        Assert.Equal(MqttNativeError.ConnectionRefused, ex.NativeError);
        Assert.Contains("bad user name or password", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0x86", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.IsTransient);
    }

    [Theory]
    [InlineData(4, MqttReasonCode.BadUserNameOrPassword)]
    [InlineData(5, MqttReasonCode.NotAuthorized)]
    [InlineData(3, MqttReasonCode.ServerUnavailable)]
    public void Mqtt311_connack_return_codes_map_to_mqtt5_reason_codes(int returnCode, MqttReasonCode expected)
    {
        var ex = MqttErrors.FromConnack(returnCode, MqttProtocolVersion.V311, "h:1", null);
        Assert.Equal(expected, ex.ReasonCode);
        Assert.Contains($"CONNACK return code {returnCode}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Puback_not_authorized_reads_as_an_acl_denial()
    {
        var ex = MqttErrors.FromReasonCode(0x87, "Publishing to 'x'", "denied");
        Assert.Equal(MqttReasonCode.NotAuthorized, ex.ReasonCode);
        Assert.Contains("ACL", ex.Message, StringComparison.Ordinal);
        Assert.Contains("denied", ex.ReasonText, StringComparison.Ordinal);
    }
}
