using Edge.Contracts;

namespace Edge.Devices.Plc;

/// <summary>One PLC (one Modbus unit) polled against a register map (configuration section <c>Devices:Plcs:N</c>).</summary>
public sealed class PlcDeviceOptions
{
    /// <summary>The device id (1–64 of <c>[A-Za-z0-9_.-]</c>); each value's reading carries it as <c>device</c> and the register-map entry name as <c>channel</c>.</summary>
    public string DeviceId { get; set; } = string.Empty;

    /// <summary>The unit (slave) id: 1–247 on RTU; on TCP usually 1, or 255 for the device itself.</summary>
    public byte SlaveId { get; set; } = 1;

    /// <summary>The register-map file (firmware-contracts/register-maps/*.json) the gateway loads for this PLC.</summary>
    public string RegisterMapFile { get; set; } = string.Empty;

    /// <summary>How often the PLC is read. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Every value is reported at least this often even when unchanged. Default 60 s.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The deadband of analog entries without their own in <see cref="Deadbands"/>, in the entry's unit. Default 0 (every change).</summary>
    public double DefaultDeadband { get; set; }

    /// <summary>Deadbands of analog entries by entry name, in the entry's unit.</summary>
    public IDictionary<string, double> Deadbands { get; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>The most a counter can advance between two polls; larger backward steps are resets. Default 10,000.</summary>
    public ulong MaxPlausibleCounterDelta { get; set; } = CounterTracker.DefaultMaxPlausibleDelta;

    /// <summary>Per-counter overrides of <see cref="MaxPlausibleCounterDelta"/>, by entry name.</summary>
    public IDictionary<string, ulong> CounterMaxDeltas { get; } = new Dictionary<string, ulong>(StringComparer.Ordinal);

    /// <summary>How registers are merged into requests.</summary>
    public CoalescingOptions Coalescing { get; set; } = new();

    /// <summary>Retry delays while the PLC fails.</summary>
    public BackoffOptions Backoff { get; set; } = new();

    /// <summary>When the PLC counts as degraded or down.</summary>
    public DeviceHealthOptions Health { get; set; } = new();

    /// <summary>Lists every problem, each naming its key under <paramref name="path"/>.</summary>
    /// <param name="path">The configuration path of this section, e.g. <c>Devices:Plcs:0</c>.</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(string path)
    {
        var e = new OptionErrors();
        e.RequireId(path, nameof(DeviceId), DeviceId);
        e.RequireRange(path, nameof(SlaveId), SlaveId, 0, 255);
        e.RequirePositive(path, nameof(PollInterval), PollInterval);
        e.RequirePositive(path, nameof(Heartbeat), Heartbeat);
        e.RequireRange(path, nameof(DefaultDeadband), DefaultDeadband, 0.0, ContractLimits.MaxAbsValue);
        foreach (var (name, deadband) in Deadbands)
        {
            e.RequireRange(OptionErrors.Key(path, nameof(Deadbands)), name, deadband, 0.0, ContractLimits.MaxAbsValue);
        }

        if (MaxPlausibleCounterDelta < 1)
        {
            e.Add(path, nameof(MaxPlausibleCounterDelta), "must be at least 1");
        }

        foreach (var (name, max) in CounterMaxDeltas)
        {
            if (max < 1)
            {
                e.Add(OptionErrors.Key(path, nameof(CounterMaxDeltas)), name, "must be at least 1");
            }
        }

        AddSection(e, path, nameof(Coalescing), Coalescing?.Validate(OptionErrors.Key(path, nameof(Coalescing))));
        AddSection(e, path, nameof(Backoff), Backoff?.Validate(OptionErrors.Key(path, nameof(Backoff))));
        AddSection(e, path, nameof(Health), Health?.Validate(OptionErrors.Key(path, nameof(Health))));
        return e.Errors;
    }

    private static void AddSection(OptionErrors e, string path, string name, IReadOnlyList<string>? errors)
    {
        if (errors is null)
        {
            e.Add(path, name, "is required");
        }
        else
        {
            e.AddRange(errors);
        }
    }
}
