using Edge.Mqtt.Tests.Support;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests;

/// <summary>The Last Will, with the client in a child process (this test assembly's own Main, see Program.cs).</summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed class WillTests
{
    private static ChildProcess StartWillClient(MosquittoBroker broker, string willTopic)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet))
        {
            dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        }

        var assembly = typeof(Program).Assembly.Location;
        return ChildProcess.Start(
            dotnet,
            [assembly, "will-client", broker.Host, broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), TestDirectories.UniqueToken("will"), willTopic, "gateway 7 went away", "5"],
            name: "will-client");
    }

    [Fact]
    public async Task Will_is_published_when_the_client_process_is_killed_with_sigkill()
    {
        var broker = await SharedMosquitto.GetAsync();
        var willTopic = $"{TestDirectories.UniqueToken("will")}/gateway/7/status";
        await using var watcher = await TestMqtt.ConnectedAsync(broker);
        await watcher.SubscribeAsync(willTopic);

        using var child = StartWillClient(broker, willTopic);
        await child.WaitForOutputAsync("CONNECTED", TimeSpan.FromSeconds(30));
        await watcher.AssertNoMessageAsync(TimeSpan.FromMilliseconds(300));

        child.KillHard();

        var will = await watcher.ReadOneAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(willTopic, will.Topic);
        Assert.Equal("gateway 7 went away", will.Text());
        Assert.Equal(MqttQos.AtLeastOnce, will.Qos);
        Assert.Equal("gateway-offline", will.GetUserProperty("reason"));
    }

    [Fact]
    public async Task Normal_disconnect_discards_the_will_and_disconnect_with_will_publishes_it()
    {
        var broker = await SharedMosquitto.GetAsync();
        var willTopic = $"{TestDirectories.UniqueToken("will")}/gateway/8/status";
        await using var watcher = await TestMqtt.ConnectedAsync(broker);
        await watcher.SubscribeAsync(willTopic);

        using (var polite = StartWillClient(broker, willTopic))
        {
            await polite.WaitForOutputAsync("CONNECTED", TimeSpan.FromSeconds(30));
            await polite.StandardInput.WriteLineAsync("disconnect");
            await polite.StandardInput.FlushAsync();
            await polite.WaitForOutputAsync("DISCONNECTED", TimeSpan.FromSeconds(15));
        }

        await watcher.AssertNoMessageAsync(TimeSpan.FromSeconds(1));

        using var leaving = StartWillClient(broker, willTopic);
        await leaving.WaitForOutputAsync("CONNECTED", TimeSpan.FromSeconds(30));
        await leaving.StandardInput.WriteLineAsync("disconnect-with-will");
        await leaving.StandardInput.FlushAsync();
        Assert.Equal("gateway 7 went away", (await watcher.ReadOneAsync(TimeSpan.FromSeconds(15))).Text());
    }
}
