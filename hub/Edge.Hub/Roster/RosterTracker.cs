using Edge.Contracts;
using Edge.Hub.State;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Roster;

/// <summary>Whether a gateway is there.</summary>
internal enum GatewayPresence
{
    /// <summary>Its retained birth's session is newer than its death's and it spoke within <see cref="RosterOptions.StaleAfter"/>.</summary>
    Online,

    /// <summary>It died: its Last Will (or a graceful death) has a session not older than its birth.</summary>
    Offline,

    /// <summary>Born and not dead, but silent for longer than <see cref="RosterOptions.StaleAfter"/>.</summary>
    Stale,

    /// <summary>Expected by configuration but never heard of.</summary>
    Unknown,
}

/// <summary>How a device is, as far as the hub can tell.</summary>
internal enum DevicePresence
{
    /// <summary>Reported ok.</summary>
    Ok,

    /// <summary>Reported degraded.</summary>
    Degraded,

    /// <summary>Reported down.</summary>
    Down,

    /// <summary>Last reported long ago, or its gateway is not online: the report may no longer hold.</summary>
    Stale,

    /// <summary>Expected by configuration but never reported.</summary>
    Unknown,
}

/// <summary>A gateway as the API and metrics show it.</summary>
/// <param name="Gateway">Its address (site and area from configuration until it speaks).</param>
/// <param name="Expected">Whether configuration lists it.</param>
/// <param name="Presence">Online, offline, stale or unknown.</param>
/// <param name="BirthSession">Its newest birth's session.</param>
/// <param name="BornAt">When the hub received that birth.</param>
/// <param name="SoftwareVersion">From the birth.</param>
/// <param name="DeathSession">Its newest death's session.</param>
/// <param name="DiedAt">When the hub received that death.</param>
/// <param name="DeathGraceful">Whether the death was a clean shutdown (false: Last Will).</param>
/// <param name="LastSeenAt">Its last live message.</param>
/// <param name="Devices">Its devices, expected and reported.</param>
internal sealed record GatewayView(
    GatewayAddress Gateway,
    bool Expected,
    GatewayPresence Presence,
    long? BirthSession,
    DateTimeOffset? BornAt,
    string? SoftwareVersion,
    long? DeathSession,
    DateTimeOffset? DiedAt,
    bool? DeathGraceful,
    DateTimeOffset? LastSeenAt,
    IReadOnlyList<DeviceView> Devices);

/// <summary>A device as the API shows it.</summary>
/// <param name="Device">Its id.</param>
/// <param name="Expected">Whether configuration lists it.</param>
/// <param name="Presence">ok, degraded, down, stale or unknown.</param>
/// <param name="ReportedState">The state the gateway last reported, if any.</param>
/// <param name="LastGoodReadAt">The gateway's last good read, if reported.</param>
/// <param name="ErrorCount">The gateway's error count.</param>
/// <param name="Message">The gateway's note.</param>
/// <param name="LastHeardAt">When the hub last heard of it (health or a reading).</param>
internal sealed record DeviceView(string Device, bool Expected, DevicePresence Presence, DeviceState? ReportedState, DateTimeOffset? LastGoodReadAt, long ErrorCount, string? Message, DateTimeOffset? LastHeardAt);

/// <summary>
/// The roster in memory: expected gateways and devices from <c>Roster:Gateways</c>, merged with what births, deaths,
/// health reports and readings say. Presence follows the contract's rule (online while the retained birth's session
/// is greater than the retained death's) plus staleness: no live message for <see cref="RosterOptions.StaleAfter"/>.
/// </summary>
/// <remarks>Thread-safe (one lock; every operation is a few dictionary lookups).</remarks>
internal sealed class RosterTracker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _gateways = new(StringComparer.Ordinal);
    private readonly TimeSpan _staleAfter;

    /// <summary>Creates the tracker with the expected roster.</summary>
    /// <param name="options">The <c>Roster</c> section.</param>
    public RosterTracker(IOptions<RosterOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _staleAfter = options.Value.StaleAfter;
        foreach (var g in options.Value.Gateways)
        {
            var e = new Entry(new GatewayAddress(g.Site, g.Area, g.Id)) { Expected = true };
            foreach (var d in g.Devices)
            {
                e.Devices[d] = new DeviceEntry { Expected = true };
            }

            _gateways[g.Id] = e;
        }
    }

    /// <summary>Takes in the roster recorded in the state store (at start).</summary>
    /// <param name="stored">The stored gateways.</param>
    public void Load(IEnumerable<StoredGateway> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        lock (_gate)
        {
            foreach (var s in stored)
            {
                var e = GetEntry(s.Gateway);
                e.BirthSession = s.BirthSession;
                e.BornAt = s.BirthReceivedAt;
                e.SoftwareVersion = s.SoftwareVersion;
                e.DeathSession = s.DeathSession;
                e.DiedAt = s.DeathReceivedAt;
                e.DeathGraceful = s.DeathGraceful;
                e.LastSeenAt = s.LastSeenAt;
                foreach (var d in s.Devices)
                {
                    var de = GetDevice(e, d.Device);
                    de.State = d.State;
                    de.LastGoodReadAt = d.LastGoodReadAt;
                    de.ErrorCount = d.ErrorCount;
                    de.Message = d.Message;
                    de.ReportedAt = d.ReportedAt;
                    de.LastHeardAt ??= d.ReportedAt;
                }
            }
        }
    }

    /// <summary>Notes a live message from a gateway.</summary>
    /// <param name="gateway">Its address.</param>
    /// <param name="at">When it arrived.</param>
    public void Touch(GatewayAddress gateway, DateTimeOffset at)
    {
        lock (_gate)
        {
            var e = GetEntry(gateway);
            if (e.LastSeenAt is null || at > e.LastSeenAt)
            {
                e.LastSeenAt = at;
            }
        }
    }

    /// <summary>Notes a live batch of readings: the gateway and the devices in it are heard of.</summary>
    /// <param name="gateway">The gateway.</param>
    /// <param name="readings">The readings.</param>
    /// <param name="at">When they arrived.</param>
    public void TouchDevices(GatewayAddress gateway, IReadOnlyList<Reading> readings, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(readings);
        lock (_gate)
        {
            var e = GetEntry(gateway);
            if (e.LastSeenAt is null || at > e.LastSeenAt)
            {
                e.LastSeenAt = at;
            }

            string? previous = null;
            foreach (var r in readings)
            {
                // Batches hold runs of one device; look each run up once.
                if (string.Equals(previous, r.Device, StringComparison.Ordinal))
                {
                    continue;
                }

                previous = r.Device;
                GetDevice(e, r.Device).LastHeardAt = at;
            }
        }
    }

    /// <summary>Applies a birth unless an equal or newer session is on file.</summary>
    /// <param name="gateway">The gateway.</param>
    /// <param name="birth">The birth.</param>
    /// <param name="receivedAt">When it arrived.</param>
    /// <param name="retained">Whether it came from the broker's retained store.</param>
    public void ApplyBirth(GatewayAddress gateway, GatewayBirth birth, DateTimeOffset receivedAt, bool retained)
    {
        ArgumentNullException.ThrowIfNull(birth);
        lock (_gate)
        {
            var e = GetEntry(gateway);
            if (e.BirthSession is { } current && birth.Session < current)
            {
                return;
            }

            if (e.BirthSession != birth.Session)
            {
                e.BornAt = receivedAt;
            }

            e.BirthSession = birth.Session;
            e.SoftwareVersion = birth.SoftwareVersion;
            if (!retained && (e.LastSeenAt is null || receivedAt > e.LastSeenAt))
            {
                e.LastSeenAt = receivedAt;
            }

            foreach (var d in birth.Devices)
            {
                ApplyDevice(e, d.Device, d.State, d.LastGoodReadAt, d.ErrorCount, d.Message, birth.Ts, retained ? null : receivedAt);
            }
        }
    }

    /// <summary>Applies a death unless an equal or newer session is on file.</summary>
    /// <param name="gateway">The gateway.</param>
    /// <param name="death">The death.</param>
    /// <param name="receivedAt">When it arrived (for a Last Will: the moment the gateway was lost).</param>
    public void ApplyDeath(GatewayAddress gateway, GatewayDeath death, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(death);
        lock (_gate)
        {
            var e = GetEntry(gateway);
            if (e.DeathSession is { } current && death.Session < current)
            {
                return;
            }

            if (e.DeathSession != death.Session)
            {
                e.DiedAt = receivedAt;
            }

            e.DeathSession = death.Session;
            e.DeathGraceful = death.Graceful;
        }
    }

    /// <summary>Applies a health report unless a newer one is on file.</summary>
    /// <param name="gateway">The gateway.</param>
    /// <param name="health">The report.</param>
    /// <param name="receivedAt">When it arrived.</param>
    /// <param name="retained">Whether it came from the broker's retained store.</param>
    public void ApplyHealth(GatewayAddress gateway, DeviceHealth health, DateTimeOffset receivedAt, bool retained)
    {
        ArgumentNullException.ThrowIfNull(health);
        lock (_gate)
        {
            var e = GetEntry(gateway);
            if (!retained && (e.LastSeenAt is null || receivedAt > e.LastSeenAt))
            {
                e.LastSeenAt = receivedAt;
            }

            ApplyDevice(e, health.Device, health.State, health.LastGoodReadAt, health.ErrorCount, health.Message, health.Ts, retained ? null : receivedAt);
        }
    }

    /// <summary>Every gateway, expected or heard of, ordered by id.</summary>
    /// <param name="now">The time presence is judged at.</param>
    /// <returns>The views.</returns>
    public IReadOnlyList<GatewayView> Snapshot(DateTimeOffset now)
    {
        lock (_gate)
        {
            return [.. _gateways.Values.OrderBy(e => e.Address.GatewayId, StringComparer.Ordinal).Select(e => View(e, now))];
        }
    }

    /// <summary>One gateway.</summary>
    /// <param name="gatewayId">Its id.</param>
    /// <param name="now">The time presence is judged at.</param>
    /// <returns>The view, or <see langword="null"/> when the hub knows no such gateway.</returns>
    public GatewayView? Find(string gatewayId, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _gateways.TryGetValue(gatewayId, out var e) ? View(e, now) : null;
        }
    }

    private static void ApplyDevice(Entry e, string device, DeviceState state, DateTimeOffset? lastGood, long errors, string? message, DateTimeOffset reportedAt, DateTimeOffset? heardAt)
    {
        var d = GetDevice(e, device);
        if (d.ReportedAt is { } previous && reportedAt < previous)
        {
            return;
        }

        d.State = state;
        d.LastGoodReadAt = lastGood;
        d.ErrorCount = errors;
        d.Message = message;
        d.ReportedAt = reportedAt;
        if (heardAt is { } h && (d.LastHeardAt is null || h > d.LastHeardAt))
        {
            d.LastHeardAt = h;
        }
    }

    private static DeviceEntry GetDevice(Entry e, string device)
    {
        if (!e.Devices.TryGetValue(device, out var d))
        {
            e.Devices[device] = d = new DeviceEntry();
        }

        return d;
    }

    private Entry GetEntry(GatewayAddress address)
    {
        if (!_gateways.TryGetValue(address.GatewayId, out var e))
        {
            _gateways[address.GatewayId] = e = new Entry(address);
        }
        else if (e.Address != address)
        {
            // The topic it publishes on is the truth; configuration may be out of date.
            e.Address = address;
        }

        return e;
    }

    private GatewayView View(Entry e, DateTimeOffset now)
    {
        var presence = Presence(e, now);
        var devices = e.Devices
            .OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => new DeviceView(
                d.Key,
                d.Value.Expected,
                DevicePresenceOf(d.Value, presence, now),
                d.Value.State,
                d.Value.LastGoodReadAt,
                d.Value.ErrorCount,
                d.Value.Message,
                d.Value.LastHeardAt))
            .ToList();
        return new GatewayView(e.Address, e.Expected, presence, e.BirthSession, e.BornAt, e.SoftwareVersion, e.DeathSession, e.DiedAt, e.DeathGraceful, e.LastSeenAt, devices);
    }

    private GatewayPresence Presence(Entry e, DateTimeOffset now)
    {
        if (e.DeathSession is { } died && (e.BirthSession is not { } born || died >= born))
        {
            return GatewayPresence.Offline;
        }

        if (e.BirthSession is null && e.LastSeenAt is null)
        {
            return GatewayPresence.Unknown;
        }

        return e.LastSeenAt is { } seen && now - seen <= _staleAfter ? GatewayPresence.Online : GatewayPresence.Stale;
    }

    private DevicePresence DevicePresenceOf(DeviceEntry d, GatewayPresence gateway, DateTimeOffset now)
    {
        if (d.State is not { } state)
        {
            return d.LastHeardAt is { } heard && gateway == GatewayPresence.Online && now - heard <= _staleAfter
                ? DevicePresence.Ok
                : d.LastHeardAt is null ? DevicePresence.Unknown : DevicePresence.Stale;
        }

        if (gateway != GatewayPresence.Online || d.LastHeardAt is not { } last || now - last > _staleAfter)
        {
            return DevicePresence.Stale;
        }

        return state switch
        {
            DeviceState.Ok => DevicePresence.Ok,
            DeviceState.Degraded => DevicePresence.Degraded,
            _ => DevicePresence.Down,
        };
    }

    private sealed class Entry(GatewayAddress address)
    {
        public GatewayAddress Address { get; set; } = address;

        public bool Expected { get; init; }

        public long? BirthSession { get; set; }

        public DateTimeOffset? BornAt { get; set; }

        public string? SoftwareVersion { get; set; }

        public long? DeathSession { get; set; }

        public DateTimeOffset? DiedAt { get; set; }

        public bool? DeathGraceful { get; set; }

        public DateTimeOffset? LastSeenAt { get; set; }

        public Dictionary<string, DeviceEntry> Devices { get; } = new(StringComparer.Ordinal);
    }

    private sealed class DeviceEntry
    {
        public bool Expected { get; init; }

        public DeviceState? State { get; set; }

        public DateTimeOffset? LastGoodReadAt { get; set; }

        public long ErrorCount { get; set; }

        public string? Message { get; set; }

        public DateTimeOffset? ReportedAt { get; set; }

        public DateTimeOffset? LastHeardAt { get; set; }
    }
}
