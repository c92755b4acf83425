using Edge.Mqtt.Internal;

namespace Edge.Mqtt.Tests;

/// <summary>The mid rendezvous between publishing threads and the loop thread.</summary>
public sealed class PendingOperationsTests
{
    private const long Timeout = 1_000;

    private static PendingPublish Publish(long now, SemaphoreSlim slots) => new("t", MqttQos.AtLeastOnce, now + Timeout, slots);

    [Fact]
    public async Task Ack_arriving_before_registration_still_completes_the_publish()
    {
        var slots = new SemaphoreSlim(0, 10);
        var ops = new PendingOperations(Timeout);
        var op = Publish(100, slots);

        ops.Acknowledge(7, new AckData(0, null), now: 101);
        Assert.Null(ops.Register(7, op));

        await op.Task;
        Assert.Equal(0, ops.Count);
        Assert.Equal(1, slots.CurrentCount);
    }

    [Fact]
    public async Task An_operation_registered_after_the_client_closed_fails_instead_of_waiting_forever()
    {
        var slots = new SemaphoreSlim(0, 10);
        var ops = new PendingOperations(Timeout);
        var before = Publish(0, slots);
        ops.Register(1, before);

        // DisposeAsync fails everything pending while a publishing thread is between mosquitto_publish and Register.
        ops.FailAll(_ => new MqttException("closed"));
        var late = Publish(0, slots);
        Assert.Null(ops.Register(2, late));

        await Assert.ThrowsAsync<MqttException>(() => before.Task);
        var ex = await Assert.ThrowsAsync<MqttException>(() => late.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("closed", ex.Message);
        Assert.Equal(0, ops.Count);
        Assert.Equal(2, slots.CurrentCount);
    }

    [Fact]
    public async Task Failure_reason_code_fails_the_publish_with_the_code()
    {
        var ops = new PendingOperations(Timeout);
        var op = Publish(0, new SemaphoreSlim(0, 1));
        ops.Register(3, op);
        ops.Acknowledge(3, new AckData(0x87, null), 1);
        var ex = await Assert.ThrowsAsync<MqttException>(() => op.Task);
        Assert.Equal(MqttReasonCode.NotAuthorized, ex.ReasonCode);
    }

    [Fact]
    public void Stale_early_ack_is_not_taken_for_a_later_operation_with_the_same_mid()
    {
        var ops = new PendingOperations(Timeout);
        ops.Acknowledge(9, new AckData(0, null), now: 5);
        var op = Publish(now: 5 + Timeout + 1, new SemaphoreSlim(0, 1));
        ops.Register(9, op);
        Assert.False(op.IsCompleted);
    }

    [Fact]
    public async Task Sweep_times_out_a_late_operation_but_keeps_it_for_its_late_ack()
    {
        var ops = new PendingOperations(Timeout);
        var op = Publish(0, new SemaphoreSlim(0, 1));
        ops.Register(1, op);

        Assert.Equal(1, ops.Sweep(now: Timeout, abandonedRetention: 10_000, earlyAckRetention: 10, _ => new MqttException("late")));
        await Assert.ThrowsAsync<MqttException>(() => op.Task);
        Assert.Equal(1, ops.Count);

        ops.Acknowledge(1, new AckData(0, null), Timeout + 5);
        Assert.Equal(0, ops.Count);
    }

    [Fact]
    public void Concurrent_publishers_and_acks_complete_every_operation_exactly_once()
    {
        var slots = new SemaphoreSlim(0, 20_000);
        var ops = new PendingOperations(long.MaxValue / 4);
        var all = Enumerable.Range(1, 20_000).Select(i => (Mid: i, Op: Publish(0, slots))).ToArray();
        Parallel.Invoke(
            () => Parallel.ForEach(all, x => ops.Register(x.Mid, x.Op)),
            () =>
            {
                foreach (var x in all.Reverse())
                {
                    ops.Acknowledge(x.Mid, new AckData(0, null), 1);
                }
            });
        Assert.All(all, x => Assert.True(x.Op.Task.IsCompletedSuccessfully));
        Assert.Equal(0, ops.Count);
        Assert.Equal(20_000, slots.CurrentCount);
    }
}
