using Edge.Devices;

namespace Edge.Gateway.Devices;

/// <summary>One configured device as the gateway runs it: a loop that reads it and hands readings to the sink.</summary>
internal interface IGatewayDevice : IAsyncDisposable
{
    string Id { get; }

    DeviceHealthTracker Health { get; }

    /// <summary>Runs until cancelled; reopens the device by itself after failures. Never throws but for cancellation.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
