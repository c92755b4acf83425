namespace Edge.Devices.Gpio;

/// <summary>
/// Where pulse counts are made durable. The gateway implements it over the outbox: <see cref="SaveAsync"/> appends the
/// counter reading to the outbox and returns once the outbox has committed it; <see cref="LoadAsync"/> returns the
/// total and epoch of the last such reading.
/// </summary>
/// <remarks>
/// The count and the reading are one record, so there is no moment when one is durable and the other is not: after a
/// restart the counter resumes from exactly what the hub will receive, which rules out double counting. What can be
/// lost is bounded: pulses counted in memory after the last committed record die with a power cut (at most one
/// <see cref="PulseCounterOptions.FlushInterval"/> plus the commit time), and pulses while the gateway is off are never
/// seen (a GPIO line keeps no count). A graceful stop stores a final record first.
/// </remarks>
public interface IPulseCountStore
{
    /// <summary>The last durably stored state of a counter.</summary>
    /// <param name="deviceId">The counter's device id.</param>
    /// <param name="cancellationToken">Stops the load.</param>
    /// <returns>The state, or <see langword="null"/> when nothing was ever stored.</returns>
    ValueTask<PulseCountState?> LoadAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>Stores a record durably; returns only after it is committed.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Stops the store.</param>
    /// <returns>A task that completes once the record is durable.</returns>
    ValueTask SaveAsync(PulseCountRecord record, CancellationToken cancellationToken);
}
