using Edge.Mqtt.Tests.Support;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed class TlsTests
{
    private static readonly Lazy<Task<TestCertificates>> s_certs = new(TestCertificates.CreateAsync);

    [Fact]
    public async Task Client_certificate_authenticates_over_tls_and_messages_round_trip()
    {
        var certs = await s_certs.Value;
        await using var broker = await MosquittoBroker.StartAsync(certs.BrokerConfig("server", requireClientCertificate: true));
        var tls = new MqttTlsOptions { CaFile = certs.CaFile, CertificateFile = certs.ClientCert, KeyFile = certs.ClientKey };
        await using var sub = await TestMqtt.ConnectedAsync(broker, configure: o => o.Tls = tls);
        await using var pub = await TestMqtt.ConnectedAsync(broker, configure: o => o.Tls = tls);
        await sub.SubscribeAsync("plant/secure/#");
        await pub.PublishAsync("plant/secure/scale", TestMqtt.Utf8("tls"));
        Assert.Equal("tls", (await sub.ReadOneAsync()).Text());
    }

    [Fact]
    public async Task Broker_requiring_a_client_certificate_refuses_a_client_without_one()
    {
        var certs = await s_certs.Value;
        await using var broker = await MosquittoBroker.StartAsync(certs.BrokerConfig("server", requireClientCertificate: true));
        await using var client = new MqttClient(TestMqtt.Options(broker, configure: o => o.Tls = new MqttTlsOptions { CaFile = certs.CaFile }));
        var events = new TestMqtt.EventLog(client);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var ex = await Assert.ThrowsAsync<MqttException>(async () =>
        {
            try
            {
                await client.ConnectAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail(events.Describe() + "\n" + broker.Log);
            }
        });
        Assert.Contains(ex.NativeError, new[] { MqttNativeError.Tls, MqttNativeError.TlsHandshake });
        Assert.Equal(MqttConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task Hostname_mismatch_fails_unless_verification_is_disabled()
    {
        var certs = await s_certs.Value;
        await using var broker = await MosquittoBroker.StartAsync(certs.BrokerConfig("wrong", requireClientCertificate: false));

        await using (var strict = new MqttClient(TestMqtt.Options(broker, configure: o => o.Tls = new MqttTlsOptions { CaFile = certs.CaFile })))
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var ex = await Assert.ThrowsAsync<MqttException>(() => strict.ConnectAsync(cts.Token));
            Assert.Equal(MqttNativeError.Tls, ex.NativeError);
            Assert.False(ex.IsTransient);
            Assert.Contains("Mqtt:Tls:VerifyHostname", ex.Message, StringComparison.Ordinal);
        }

        await using var lax = await TestMqtt.ConnectedAsync(broker, configure: o => o.Tls = new MqttTlsOptions { CaFile = certs.CaFile, VerifyHostname = false });
        Assert.True(lax.IsConnected);
    }

    [Fact]
    public async Task Certificate_from_another_ca_is_refused_even_without_hostname_checks()
    {
        var certs = await s_certs.Value;
        var other = await TestCertificates.CreateAsync();
        await using var broker = await MosquittoBroker.StartAsync(certs.BrokerConfig("server", requireClientCertificate: false));
        await using var client = new MqttClient(TestMqtt.Options(broker, configure: o => o.Tls = new MqttTlsOptions { CaFile = other.CaFile, VerifyHostname = false }));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var ex = await Assert.ThrowsAsync<MqttException>(() => client.ConnectAsync(cts.Token));
        Assert.Equal(MqttNativeError.Tls, ex.NativeError);
    }
}
