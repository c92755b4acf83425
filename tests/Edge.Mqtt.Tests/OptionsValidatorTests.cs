using Microsoft.Extensions.Options;

namespace Edge.Mqtt.Tests;

public sealed class OptionsValidatorTests
{
    private static ValidateOptionsResult Validate(Action<MqttClientOptions> change)
    {
        var o = new MqttClientOptions { ClientId = "gw-1" };
        change(o);
        return new MqttClientOptionsValidator().Validate(Options.DefaultName, o);
    }

    [Fact]
    public void Defaults_are_valid() => Assert.True(Validate(_ => { }).Succeeded);

    [Fact]
    public void Keepalive_below_five_seconds_is_rejected_naming_the_key()
    {
        var r = Validate(o => o.KeepAlive = TimeSpan.FromSeconds(2));
        Assert.True(r.Failed);
        Assert.Contains(r.Failures!, f => f.StartsWith("Mqtt:KeepAlive must be between 00:00:05", StringComparison.Ordinal));
    }

    [Fact]
    public void Persistent_session_needs_a_client_id_and_a_session_expiry()
    {
        var r = Validate(o =>
        {
            o.ClientId = null;
            o.CleanStart = false;
        });
        Assert.Contains(r.Failures!, f => f.Contains("Mqtt:ClientId is required when Mqtt:CleanStart is false", StringComparison.Ordinal));
        Assert.Contains(r.Failures!, f => f.Contains("Mqtt:SessionExpiryInterval must be above 0", StringComparison.Ordinal));
        Assert.True(Validate(o =>
        {
            o.CleanStart = false;
            o.SessionExpiryInterval = TimeSpan.FromHours(1);
        }).Succeeded);
    }

    [Fact]
    public void Session_expiry_with_mqtt311_is_rejected()
    {
        var r = Validate(o =>
        {
            o.ProtocolVersion = MqttProtocolVersion.V311;
            o.SessionExpiryInterval = TimeSpan.FromMinutes(5);
        });
        Assert.Contains(r.Failures!, f => f.Contains("Mqtt:SessionExpiryInterval needs Mqtt:ProtocolVersion V500", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_certificate_without_key_and_missing_ca_are_rejected()
    {
        var r = Validate(o => o.Tls = new MqttTlsOptions { CertificateFile = "/etc/hostname" });
        Assert.Contains(r.Failures!, f => f.Contains("Mqtt:Tls:CaFile or Mqtt:Tls:CaPath is required", StringComparison.Ordinal));
        Assert.Contains(r.Failures!, f => f.Contains("Mqtt:Tls:CertificateFile and Mqtt:Tls:KeyFile go together", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_will_topic_and_reconnect_settings_name_their_keys()
    {
        var r = Validate(o =>
        {
            o.Will = new MqttWillOptions { Topic = "plant/+/status" };
            o.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(10);
            o.Reconnect.JitterFraction = 1.5;
            o.Messages.Capacity = 0;
        });
        Assert.Contains(r.Failures!, f => f.StartsWith("Mqtt:Will:Topic", StringComparison.Ordinal));
        Assert.Contains(r.Failures!, f => f.StartsWith("Mqtt:Reconnect:MaxDelay", StringComparison.Ordinal));
        Assert.Contains(r.Failures!, f => f.StartsWith("Mqtt:Reconnect:JitterFraction", StringComparison.Ordinal));
        Assert.Contains(r.Failures!, f => f.StartsWith("Mqtt:Messages:Capacity", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_constructor_rejects_invalid_options_with_every_problem_listed()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new MqttClient(new MqttClientOptions { Port = 0, Password = "x" }));
        Assert.Contains("Mqtt:Port", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Mqtt:Password", ex.Message, StringComparison.Ordinal);
    }
}
