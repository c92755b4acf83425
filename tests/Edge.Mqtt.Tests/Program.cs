using System.Globalization;
using System.Text;

namespace Edge.Mqtt.Tests;

/// <summary>
/// Entry point of this test assembly when run as a child process (<c>dotnet Edge.Mqtt.Tests.dll will-client …</c>),
/// so a test can kill a real client with SIGKILL. The test runner loads the assembly as a library and never calls it.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["will-client", var host, var port, var clientId, var willTopic, var willPayload, var keepAliveSeconds])
        {
            await Console.Error.WriteLineAsync("usage: will-client HOST PORT CLIENT_ID WILL_TOPIC WILL_PAYLOAD KEEPALIVE_SECONDS");
            return 2;
        }

        var options = new MqttClientOptions
        {
            Host = host,
            Port = int.Parse(port, CultureInfo.InvariantCulture),
            ClientId = clientId,
            KeepAlive = TimeSpan.FromSeconds(int.Parse(keepAliveSeconds, CultureInfo.InvariantCulture)),
            Will = new MqttWillOptions { Topic = willTopic, Payload = Encoding.UTF8.GetBytes(willPayload), Qos = MqttQos.AtLeastOnce },
        };
        options.Will.UserProperties.Add(new MqttUserProperty("reason", "gateway-offline"));
        await using var client = new MqttClient(options);
        await client.ConnectAsync();
        Console.WriteLine("CONNECTED");

        // Stay connected until told what to do on stdin, or until killed.
        var command = await Console.In.ReadLineAsync();
        switch (command)
        {
            case "disconnect":
                await client.DisconnectAsync();
                break;
            case "disconnect-with-will":
                await client.DisconnectAsync(MqttDisconnectReason.WithWillMessage);
                break;
        }

        Console.WriteLine("DISCONNECTED");
        return 0;
    }
}
