using Edge.Mqtt.Tests.Support;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed class TimeoutTests
{
    [Fact]
    public async Task Publish_without_puback_fails_after_the_operation_timeout_and_the_client_recovers()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var clock = new ManualTimeProvider();
        await using var client = new MqttClient(TestMqtt.Options(broker, configure: o => o.OperationTimeout = TimeSpan.FromSeconds(30)), timeProvider: clock);
        await client.ConnectAsync();
        await client.PublishAsync("plant/t", TestMqtt.Utf8("acked"));

        await BrokerProcess.SignalAsync(broker, "-STOP");
        try
        {
            var publish = client.PublishAsync("plant/t", TestMqtt.Utf8("held"), MqttQos.AtLeastOnce);
            await Task.Delay(200);
            Assert.False(publish.IsCompleted);

            clock.Advance(TimeSpan.FromSeconds(29));
            await Task.Delay(100);
            Assert.False(publish.IsCompleted);

            clock.Advance(TimeSpan.FromSeconds(2));
            var ex = await Assert.ThrowsAsync<MqttException>(() => publish);
            Assert.Equal(MqttNativeError.Timeout, ex.NativeError);
            Assert.Contains("may still be delivered", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            await BrokerProcess.SignalAsync(broker, "-CONT");
        }

        // The late PUBACK is absorbed; the connection carries on.
        await client.PublishAsync("plant/t", TestMqtt.Utf8("after"), MqttQos.AtLeastOnce);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Publish_wait_honours_cancellation_and_publishing_while_disconnected_fails_fast()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var client = await TestMqtt.ConnectedAsync(broker);
        await BrokerProcess.SignalAsync(broker, "-STOP");
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PublishAsync("plant/t", TestMqtt.Utf8("x"), MqttQos.AtLeastOnce, cancellationToken: cts.Token));
        }
        finally
        {
            await BrokerProcess.SignalAsync(broker, "-CONT");
        }

        await client.DisconnectAsync();
        var ex = await Assert.ThrowsAsync<MqttException>(() => client.PublishAsync("plant/t", TestMqtt.Utf8("x")));
        Assert.Equal(MqttNativeError.NoConnection, ex.NativeError);
        Assert.Contains("Nothing was queued", ex.Message, StringComparison.Ordinal);
    }
}
