using Edge.Hub.Ingest;
using Edge.Hub.Roster;
using Edge.Hub.State;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Hosting;

/// <summary>
/// The first hosted service: opens the state store (applying migrations) and loads what the ingest and the roster
/// keep in memory, before anything consumes a message. A store that cannot be opened stops the hub at start, with
/// the reason, rather than letting it run without de-duplication.
/// </summary>
internal sealed class HubStartup : IHostedService
{
    private readonly IStateStore _store;
    private readonly IngestLedger _ledger;
    private readonly RosterTracker _roster;
    private readonly TestCrashHook _crashHook;
    private readonly StateStoreOptions _stateOptions;
    private readonly RosterOptions _rosterOptions;
    private readonly ILogger _logger;

    /// <summary>Creates the service.</summary>
    /// <param name="store">The state store.</param>
    /// <param name="ledger">The seqs in memory.</param>
    /// <param name="roster">The roster in memory.</param>
    /// <param name="crashHook">The test-only crash hook (warned about when armed).</param>
    /// <param name="stateOptions">The <c>State</c> section.</param>
    /// <param name="rosterOptions">The <c>Roster</c> section.</param>
    /// <param name="logger">The logger.</param>
    public HubStartup(IStateStore store, IngestLedger ledger, RosterTracker roster, TestCrashHook crashHook, IOptions<StateStoreOptions> stateOptions, IOptions<RosterOptions> rosterOptions, ILogger<HubStartup> logger)
    {
        ArgumentNullException.ThrowIfNull(stateOptions);
        ArgumentNullException.ThrowIfNull(rosterOptions);
        _store = store;
        _ledger = ledger;
        _roster = roster;
        _crashHook = crashHook;
        _stateOptions = stateOptions.Value;
        _rosterOptions = rosterOptions.Value;
        _logger = logger;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_crashHook.Point != CrashPoint.None)
        {
            Log.CrashHookArmed(_logger, _crashHook.Point, TestCrashHook.PointVariable);
        }

        _store.Open();
        var states = _store.LoadAckStates();
        _ledger.Load(states);
        _roster.Load(_store.LoadRoster());
        Log.HubStarted(_logger, Path.GetFullPath(_stateOptions.Path), _store.SchemaVersion, states.Count, _rosterOptions.Gateways.Count);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
