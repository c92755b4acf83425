using Edge.Mqtt.Tests.Support;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed class AuthTests
{
    private static async Task<MosquittoBroker> StartSecuredBrokerAsync()
    {
        var passwd = Components.RequireProgram("mosquitto_passwd", "mosquitto");
        var dir = TestDirectories.Create("auth");
        var passwordFile = Path.Combine(dir, "passwords");
        using (var p = ChildProcess.Start(passwd, ["-b", "-c", passwordFile, "gateway", "s3cret"], name: "mosquitto_passwd"))
        {
            Assert.True(await p.WaitForExitAsync(TimeSpan.FromSeconds(30)) && p.ExitCode == 0, p.Output);
        }

        var aclFile = Path.Combine(dir, "acl");
        await File.WriteAllTextAsync(aclFile, "user gateway\ntopic readwrite plant/#\ntopic read cmd/#\n");
        return await MosquittoBroker.StartAsync($"password_file {passwordFile}\nacl_file {aclFile}\n", allowAnonymous: false);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V500, MqttReasonCode.NotAuthorized)]
    [InlineData(MqttProtocolVersion.V311, MqttReasonCode.NotAuthorized)]
    public async Task Wrong_password_is_refused_with_a_clear_error_and_no_retry(MqttProtocolVersion version, MqttReasonCode expected)
    {
        await using var broker = await StartSecuredBrokerAsync();
        await using var client = new MqttClient(TestMqtt.Options(broker, configure: o =>
        {
            o.ProtocolVersion = version;
            o.UserName = "gateway";
            o.Password = "wrong";
        }));
        var events = new TestMqtt.EventLog(client);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var ex = await Assert.ThrowsAsync<MqttException>(() => client.ConnectAsync(cts.Token));

        // Mosquitto 2.0 answers bad credentials with "not authorized" (MQTT 5 0x87, 3.1.1 return code 5).
        Assert.Equal(expected, ex.ReasonCode);
        Assert.Equal(MqttNativeError.ConnectionRefused, ex.NativeError);
        Assert.Contains("refused the connection: not authorized", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.IsTransient);
        Assert.Equal(MqttConnectionState.Disconnected, client.State);
        await Task.Delay(300);
        Assert.DoesNotContain(events.Snapshot(), e => e.Kind == MqttConnectionEventKind.Reconnecting);
    }

    [Fact]
    public async Task Publish_denied_by_the_acl_fails_with_not_authorized_while_allowed_topics_work()
    {
        await using var broker = await StartSecuredBrokerAsync();
        await using var gw = await TestMqtt.ConnectedAsync(broker, "gw", o =>
        {
            o.UserName = "gateway";
            o.Password = "s3cret";
        });

        await gw.PublishAsync("plant/scale/1", TestMqtt.Utf8("ok"), MqttQos.AtLeastOnce);
        var ex = await Assert.ThrowsAsync<MqttException>(() => gw.PublishAsync("cmd/gateway/7", TestMqtt.Utf8("no"), MqttQos.AtLeastOnce));
        Assert.Equal(MqttReasonCode.NotAuthorized, ex.ReasonCode);
        Assert.Contains("'cmd/gateway/7'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ACL", ex.Message, StringComparison.Ordinal);

        // The connection is still usable afterwards.
        await gw.PublishAsync("plant/scale/1", TestMqtt.Utf8("still ok"), MqttQos.AtLeastOnce);
        Assert.True(gw.IsConnected);
    }

    [Fact]
    public async Task Subscription_refused_by_the_broker_fails_naming_the_filter_and_code()
    {
        // Mosquitto 2.0.11 grants ACL-denied subscriptions (and filters deliveries); a fake broker produces the refusal.
        await using var fake = new FakeBroker(subackReasonCode: 0x87);
        Components.RequireLibrary("libmosquitto.so.1", "libmosquitto1");
        await using var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = fake.Port, ClientId = "fake-sub" });
        await client.ConnectAsync();

        var ex = await Assert.ThrowsAsync<MqttException>(() => client.SubscribeAsync("cmd/#"));
        Assert.Equal(MqttReasonCode.NotAuthorized, ex.ReasonCode);
        Assert.Contains("'cmd/#': 0x87", ex.Message, StringComparison.Ordinal);
    }
}
