using Edge.Gateway.Devices;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Pipeline;

/// <summary>Keeps one device's loop running for the life of the gateway.</summary>
internal static class DeviceSupervisor
{
    /// <summary>The longest pause between restarts of a device that keeps failing.</summary>
    internal static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan StableRun = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Runs the device until cancelled. A driver failure (a bug, or an error its loop does not handle) must not take
    /// the gateway and every other device down, nor leave this one unread until someone restarts the service: health
    /// shows it down, and it starts again after a pause of 1 s that doubles, up to a minute, while it keeps failing.
    /// </summary>
    internal static async Task RunAsync(IGatewayDevice device, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = time.GetTimestamp();
            try
            {
                await device.RunAsync(cancellationToken);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (time.GetElapsedTime(started) > StableRun)
                {
                    // It ran well for a while: a new failure starts the pauses again from the shortest.
                    failures = 0;
                }

                var delay = TimeSpan.FromSeconds(Math.Min(MaxRestartDelay.TotalSeconds, Math.Pow(2, Math.Min(failures++, 6))));
                device.Health.RecordFailure("driver failed: " + ex.Message);
                Log.DeviceFailed(logger, ex, device.Id, delay);
                try
                {
                    await Task.Delay(delay, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                Log.DeviceRestarting(logger, device.Id);
            }
        }
    }
}
