using Edge.Contracts;
using Edge.Contracts.RegisterMaps;

namespace Edge.Devices.Scales;

/// <summary>The indicator protocol of a scale.</summary>
public enum ScaleProtocol
{
    /// <summary>METTLER TOLEDO continuous output (STX, status words A/B/C, weight, tare, CR, optional checksum).</summary>
    MettlerToledoContinuous,

    /// <summary>METTLER TOLEDO MT-SICS replies (<c>S S 123.45 kg</c>), streamed (SIR) or polled (<see cref="ScaleOptions.PollCommand"/>).</summary>
    MtSics,

    /// <summary>Yaohua XK3190-A9 family continuous output (STX, sign, 6 digits, decimals, XOR, ETX).</summary>
    Xk3190A9,

    /// <summary>Yaohua XK3190-A12 serial output (<c>WG004.139kg3D</c> CR LF) and the ww/wn clones.</summary>
    Xk3190A12,

    /// <summary>A configurable ASCII format matched with a regular expression (<see cref="ScaleOptions.Regex"/>).</summary>
    Regex,

    /// <summary>Weight read from Modbus registers (<see cref="ScaleOptions.Modbus"/>).</summary>
    Modbus,
}

/// <summary>One scale (configuration section <c>Devices:Scales:N</c>).</summary>
public sealed class ScaleOptions
{
    /// <summary>The device id (1–64 of <c>[A-Za-z0-9_.-]</c>).</summary>
    public string DeviceId { get; set; } = string.Empty;

    /// <summary>The indicator protocol.</summary>
    public ScaleProtocol Protocol { get; set; } = ScaleProtocol.MettlerToledoContinuous;

    /// <summary>
    /// METTLER TOLEDO continuous: whether the terminal sends the checksum byte after CR. XK3190-A12: whether lines without
    /// the two-digit checksum are rejected. Default <see langword="true"/>.
    /// </summary>
    public bool Checksum { get; set; } = true;

    /// <summary>XK3190-A9: the unit the indicator is calibrated in (its frame does not say). Default kg.</summary>
    public WeightUnit Unit { get; set; } = WeightUnit.Kilogram;

    /// <summary>XK3190-A9 and MT-SICS: how to label the weight (their frames do not say). Default gross.</summary>
    public WeightMode ReportedMode { get; set; } = WeightMode.Gross;

    /// <summary>MT-SICS: a command sent every <see cref="PollInterval"/> (e.g. <c>SI</c>); none when the balance streams (SIR).</summary>
    public string? PollCommand { get; set; }

    /// <summary>MT-SICS polling and Modbus: how often to ask. Default 200 ms.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The regular-expression format for <see cref="ScaleProtocol.Regex"/>.</summary>
    public RegexFormatOptions Regex { get; set; } = new();

    /// <summary>The registers for <see cref="ScaleProtocol.Modbus"/>.</summary>
    public ModbusScaleOptions Modbus { get; set; } = new();

    /// <summary>The gateway's stability rule.</summary>
    public StabilityOptions Stability { get; set; } = new();

    /// <summary>The scale's capacity (Max) in kg; heavier samples are flagged as overload. Optional.</summary>
    public double? CapacityKg { get; set; }

    /// <summary>Stream protocols: no byte for this long means the link is dead and is reopened. Default 5 s.</summary>
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A stable sample older than this does not satisfy <see cref="IScale.WaitForStableAsync"/> at once. Default 2 s.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Retry delays while the indicator fails.</summary>
    public BackoffOptions Backoff { get; set; } = new();

    /// <summary>When the scale counts as degraded or down.</summary>
    public DeviceHealthOptions Health { get; set; } = new() { DegradedWhenStaleFor = TimeSpan.FromSeconds(10), DownWhenStaleFor = TimeSpan.FromSeconds(60) };

    /// <summary>Lists every problem, each naming its key under <paramref name="path"/>.</summary>
    /// <param name="path">The configuration path of this section, e.g. <c>Devices:Scales:0</c>.</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(string path)
    {
        var e = new OptionErrors();
        e.RequireId(path, nameof(DeviceId), DeviceId);
        e.RequireDefined(path, nameof(Protocol), Protocol);
        e.RequireDefined(path, nameof(Unit), Unit);
        e.RequireDefined(path, nameof(ReportedMode), ReportedMode);
        e.RequirePositive(path, nameof(PollInterval), PollInterval);
        e.RequirePositive(path, nameof(SilenceTimeout), SilenceTimeout);
        e.RequirePositive(path, nameof(StaleAfter), StaleAfter);
        if (CapacityKg is { } capacity)
        {
            e.RequireRange(path, nameof(CapacityKg), capacity, 0.001, ContractLimits.MaxAbsWeightKg);
        }

        if (PollCommand is not null && (PollCommand.Length is 0 or > 32 || PollCommand.Any(c => c < 0x20 || c > 0x7E)))
        {
            e.Add(path, nameof(PollCommand), "must be 1-32 printable ASCII characters (CR LF is appended), e.g. SI");
        }

        if (PollCommand is not null && Protocol != ScaleProtocol.MtSics)
        {
            e.Add(path, nameof(PollCommand), "applies to Protocol MtSics only");
        }

        Section(e, path, nameof(Stability), Stability?.Validate(OptionErrors.Key(path, nameof(Stability))));
        Section(e, path, nameof(Backoff), Backoff?.Validate(OptionErrors.Key(path, nameof(Backoff))));
        Section(e, path, nameof(Health), Health?.Validate(OptionErrors.Key(path, nameof(Health))));
        if (Protocol == ScaleProtocol.Regex)
        {
            Section(e, path, nameof(Regex), Regex?.Validate(OptionErrors.Key(path, nameof(Regex))));
        }

        if (Protocol == ScaleProtocol.Modbus)
        {
            Section(e, path, nameof(Modbus), Modbus?.Validate(OptionErrors.Key(path, nameof(Modbus))));
        }

        return e.Errors;
    }

    private static void Section(OptionErrors e, string path, string name, IReadOnlyList<string>? errors)
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

/// <summary>A weight held in Modbus registers (configuration section <c>Modbus</c> of a scale).</summary>
public sealed class ModbusScaleOptions
{
    /// <summary>The unit (slave) id. Default 1.</summary>
    public byte SlaveId { get; set; } = 1;

    /// <summary>The table of the weight and status registers: holding or input. Default holding.</summary>
    public RegisterTable Table { get; set; } = RegisterTable.Holding;

    /// <summary>The 0-based address of the weight.</summary>
    public int Address { get; set; }

    /// <summary>The weight's data type: i16, u16, i32, u32 or f32. Default i32.</summary>
    public RegisterDataType DataType { get; set; } = RegisterDataType.I32;

    /// <summary>The byte order inside a register. Default big.</summary>
    public ByteOrder ByteOrder { get; set; } = ByteOrder.Big;

    /// <summary>The word order of 32-bit values: big (ABCD) or little (CDAB). Default big.</summary>
    public WordOrder WordOrder { get; set; } = WordOrder.Big;

    /// <summary>Multiplier from raw to the displayed value (e.g. 0.01 for two decimals). Default 1.</summary>
    public double Scale { get; set; } = 1.0;

    /// <summary>Added after scaling. Default 0.</summary>
    public double Offset { get; set; }

    /// <summary>The unit of the scaled value. Default kg.</summary>
    public WeightUnit Unit { get; set; } = WeightUnit.Kilogram;

    /// <summary>The 0-based address of a status register (same table), if the device has one.</summary>
    public int? StatusAddress { get; set; }

    /// <summary>Bit (0–15) of the status register set while in motion.</summary>
    public int? MotionBit { get; set; }

    /// <summary>Bit set on overload.</summary>
    public int? OverloadBit { get; set; }

    /// <summary>Bit set on underload.</summary>
    public int? UnderloadBit { get; set; }

    /// <summary>Bit set when the weight is net.</summary>
    public int? NetBit { get; set; }

    /// <summary>Bit set at centre of zero.</summary>
    public int? ZeroBit { get; set; }

    /// <summary>Lists every problem, each naming its key under <paramref name="path"/>.</summary>
    /// <param name="path">The configuration path of this section.</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(string path)
    {
        var e = new OptionErrors();
        if (Table is not (RegisterTable.Holding or RegisterTable.Input))
        {
            e.Add(path, nameof(Table), "must be Holding or Input; got " + Table);
        }

        if (DataType == RegisterDataType.Bool || !Enum.IsDefined(DataType))
        {
            e.Add(path, nameof(DataType), "must be one of I16, U16, I32, U32, F32; got " + DataType);
        }

        e.RequireRange(path, nameof(Address), Address, 0, 65535 - 1);
        e.RequireRange(path, nameof(Scale), Scale, -1e9, 1e9);
        if (Scale == 0)
        {
            e.Add(path, nameof(Scale), "must not be 0");
        }

        e.RequireRange(path, nameof(Offset), Offset, -1e9, 1e9);
        e.RequireDefined(path, nameof(Unit), Unit);
        if (StatusAddress is { } s)
        {
            e.RequireRange(path, nameof(StatusAddress), s, 0, 65535);
        }

        foreach (var (name, bit) in new[] { (nameof(MotionBit), MotionBit), (nameof(OverloadBit), OverloadBit), (nameof(UnderloadBit), UnderloadBit), (nameof(NetBit), NetBit), (nameof(ZeroBit), ZeroBit) })
        {
            if (bit is { } b)
            {
                e.RequireRange(path, name, b, 0, 15);
                if (StatusAddress is null)
                {
                    e.Add(path, name, "needs " + nameof(StatusAddress));
                }
            }
        }

        return e.Errors;
    }
}
