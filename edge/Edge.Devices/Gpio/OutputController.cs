using Edge.Contracts;
using Microsoft.Extensions.Logging;

namespace Edge.Devices.Gpio;

/// <summary>A digital output the controller drives: a GPIO line (Edge.Gpio), a PLC coil, or a test double.</summary>
public interface IOutputLine
{
    /// <summary>Switches the output.</summary>
    /// <param name="on">On (energised) or off.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>A task that completes when the line is set.</returns>
    /// <exception cref="IOException">The write failed.</exception>
    ValueTask SetAsync(bool on, CancellationToken cancellationToken);
}

/// <summary>What happened to a command.</summary>
public enum OutputCommandOutcome
{
    /// <summary>The output was set (a pulse's off follows after its duration).</summary>
    Applied,

    /// <summary>The command arrived at or after its expiry and was not executed.</summary>
    Expired,

    /// <summary>This command id was executed before; at most once.</summary>
    Duplicate,

    /// <summary>No output with the command's device id is configured.</summary>
    UnknownOutput,

    /// <summary>A pulse without a duration in (0, 3600] s, or a duration on a non-pulse.</summary>
    InvalidDuration,

    /// <summary>An action this controller does not perform.</summary>
    UnsupportedAction,

    /// <summary>Writing the line failed.</summary>
    Failed,
}

/// <summary>
/// Executes hub commands on digital outputs (stack lights, gate relays): <c>on</c>, <c>off</c>, or <c>pulse</c> for a
/// duration. Expired commands are dropped, each command id runs at most once, and the latest command for an output wins
/// (an <c>on</c> or <c>off</c> cancels a pulse in progress; a new pulse restarts it). Thread-safe.
/// </summary>
/// <remarks>
/// The pulse's end is a timer on the injected <see cref="TimeProvider"/>. Disposing switches every output that is in a
/// pulse off, so a gate relay is never left energised by a stopping gateway.
/// </remarks>
public sealed class OutputController : IAsyncDisposable
{
    private readonly Dictionary<string, OutputState> _outputs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, DateTimeOffset> _executed = new(StringComparer.Ordinal);
    private readonly Lock _executedLock = new();
    private bool _disposed;

    /// <summary>Creates the controller.</summary>
    /// <param name="outputs">The outputs by device id (the command's <see cref="Command.Device"/>).</param>
    /// <param name="timeProvider">The clock for expiry and pulse ends.</param>
    /// <param name="logger">The logger.</param>
    public OutputController(IReadOnlyDictionary<string, IOutputLine> outputs, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _outputs = outputs.ToDictionary(kv => kv.Key, kv => new OutputState(kv.Key, kv.Value), StringComparer.Ordinal);
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>Whether an output is currently on, as last set by this controller.</summary>
    /// <param name="output">The output's device id.</param>
    /// <returns><see langword="true"/> when on; <see langword="null"/> when unknown or never set.</returns>
    public bool? IsOn(string output) => _outputs.TryGetValue(output, out var s) ? s.On : null;

    /// <summary>Executes a command.</summary>
    /// <param name="command">The command from the hub.</param>
    /// <param name="cancellationToken">Stops a write in progress.</param>
    /// <returns>What happened.</returns>
    public async Task<OutputCommandOutcome> ExecuteAsync(Command command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var now = _time.GetUtcNow();
        var outcome = Check(command, now, out var state, out var duration);
        if (outcome != OutputCommandOutcome.Applied)
        {
            Log.OutputCommandRejected(_logger, command.CommandId, command.Device, outcome);
            return outcome;
        }

        await state!.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Any command supersedes a pulse in progress: its timer must not switch off what this command decides.
            state.Generation++;
            state.PulseTimer?.Dispose();
            state.PulseTimer = null;

            var on = command.Value != OutputValue.Off;
            try
            {
                await state.Line.SetAsync(on, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.OutputWriteFailed(_logger, command.CommandId, command.Device, ex);
                return OutputCommandOutcome.Failed;
            }

            state.On = on;
            if (command.Value == OutputValue.Pulse)
            {
                var generation = state.Generation;
                state.PulseTimer = _time.CreateTimer(
                    static s => ((PulseEnd)s!).Fire(),
                    new PulseEnd(this, state, generation),
                    duration,
                    Timeout.InfiniteTimeSpan);
            }
        }
        finally
        {
            state.Gate.Release();
        }

        Remember(command);
        Log.OutputSet(_logger, command.CommandId, command.Device, command.Value);
        return OutputCommandOutcome.Applied;
    }

    /// <summary>Cancels pending pulse ends and switches pulsing outputs off.</summary>
    /// <returns>A task that completes when the outputs are off.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var state in _outputs.Values)
        {
            await state.Gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (state.PulseTimer is not null)
                {
                    state.PulseTimer.Dispose();
                    state.PulseTimer = null;
                    state.Generation++;
                    await SwitchOffAsync(state).ConfigureAwait(false);
                }
            }
            finally
            {
                state.Gate.Release();
            }
        }
    }

    private OutputCommandOutcome Check(Command command, DateTimeOffset now, out OutputState? state, out TimeSpan duration)
    {
        state = null;
        duration = TimeSpan.Zero;
        if (command.IsExpired(now))
        {
            return OutputCommandOutcome.Expired;
        }

        if (command.Action != CommandAction.SetOutput)
        {
            return OutputCommandOutcome.UnsupportedAction;
        }

        if (!_outputs.TryGetValue(command.Device, out state))
        {
            return OutputCommandOutcome.UnknownOutput;
        }

        if (command.Value == OutputValue.Pulse)
        {
            if (command.DurationS is not { } s || !double.IsFinite(s) || s <= 0 || s > ContractLimits.MaxPulseSeconds)
            {
                return OutputCommandOutcome.InvalidDuration;
            }

            duration = TimeSpan.FromSeconds(s);
        }
        else if (command.DurationS is not null)
        {
            return OutputCommandOutcome.InvalidDuration;
        }

        lock (_executedLock)
        {
            // Ids are remembered until their command expires: after that the expiry check rejects a replay anyway.
            List<string>? expired = null;
            foreach (var (id, expiresAt) in _executed)
            {
                if (expiresAt <= now)
                {
                    (expired ??= []).Add(id);
                }
            }

            expired?.ForEach(id => _executed.Remove(id));
            if (_executed.ContainsKey(command.CommandId))
            {
                return OutputCommandOutcome.Duplicate;
            }
        }

        return OutputCommandOutcome.Applied;
    }

    private void Remember(Command command)
    {
        lock (_executedLock)
        {
            _executed[command.CommandId] = command.ExpiresAt;
        }
    }

    private async Task EndPulseAsync(OutputState state, long generation)
    {
        await state.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (state.Generation != generation || _disposed)
            {
                return;
            }

            state.PulseTimer?.Dispose();
            state.PulseTimer = null;
            await SwitchOffAsync(state).ConfigureAwait(false);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private async Task SwitchOffAsync(OutputState state)
    {
        try
        {
            await state.Line.SetAsync(false, CancellationToken.None).ConfigureAwait(false);
            state.On = false;
        }
        catch (Exception ex)
        {
            Log.OutputPulseEndFailed(_logger, state.Name, ex);
        }
    }

    private sealed class OutputState(string name, IOutputLine line)
    {
        public string Name { get; } = name;

        public IOutputLine Line { get; } = line;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public long Generation { get; set; }

        public ITimer? PulseTimer { get; set; }

        public bool? On { get; set; }
    }

    private sealed class PulseEnd(OutputController owner, OutputState state, long generation)
    {
        // Runs on a timer thread (managed, not native): hand off to an async task and return at once.
        public void Fire() => _ = owner.EndPulseAsync(state, generation);
    }
}
