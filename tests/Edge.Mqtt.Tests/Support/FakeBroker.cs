using System.Net;
using System.Net.Sockets;

namespace Edge.Mqtt.Tests.Support;

/// <summary>
/// A hand-written MQTT 5 broker on a real loopback socket, for faults Mosquitto will not produce: it accepts any
/// CONNECT and answers every SUBSCRIBE with a fixed SUBACK reason code. Nothing else.
/// </summary>
internal sealed class FakeBroker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serve;

    public FakeBroker(byte subackReasonCode)
    {
        _listener.Start();
        _serve = ServeAsync(subackReasonCode);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serve;
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync(byte reason)
    {
        using var socket = await _listener.AcceptSocketAsync(_stop.Token);
        await using var stream = new NetworkStream(socket);
        while (!_stop.IsCancellationRequested)
        {
            var (type, body) = await ReadPacketAsync(stream, _stop.Token);
            switch (type >> 4)
            {
                case 1: // CONNECT → CONNACK: no session, success, no properties.
                    await stream.WriteAsync(new byte[] { 0x20, 3, 0, 0, 0 }, _stop.Token);
                    break;
                case 8: // SUBSCRIBE → SUBACK with the same packet id, no properties, one reason code.
                    await stream.WriteAsync(new byte[] { 0x90, 4, body[0], body[1], 0, reason }, _stop.Token);
                    break;
                case 12: // PINGREQ → PINGRESP.
                    await stream.WriteAsync(new byte[] { 0xD0, 0 }, _stop.Token);
                    break;
                case 14: // DISCONNECT.
                    return;
            }
        }
    }

    private static async Task<(byte Type, byte[] Body)> ReadPacketAsync(NetworkStream s, CancellationToken ct)
    {
        var one = new byte[1];
        await s.ReadExactlyAsync(one, ct);
        var type = one[0];
        int length = 0, shift = 0;
        do
        {
            await s.ReadExactlyAsync(one, ct);
            length |= (one[0] & 0x7F) << shift;
            shift += 7;
        }
        while ((one[0] & 0x80) != 0);

        var body = new byte[length];
        await s.ReadExactlyAsync(body, ct);
        return (type, body);
    }
}
