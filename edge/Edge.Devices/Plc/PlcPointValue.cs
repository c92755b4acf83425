using Edge.Contracts;
using Edge.Contracts.RegisterMaps;

namespace Edge.Devices.Plc;

/// <summary>One reported value of one register-map entry.</summary>
public sealed record PlcPointValue
{
    /// <summary>The PLC's device id.</summary>
    public required string Device { get; init; }

    /// <summary>The register-map entry's name.</summary>
    public required string Point { get; init; }

    /// <summary>When the poll that read it started, UTC.</summary>
    public required DateTimeOffset Ts { get; init; }

    /// <summary>Analog, state or counter.</summary>
    public required RegisterMeaning Meaning { get; init; }

    /// <summary>Analog: the engineering value (raw × scale + offset); state: the raw integer; counter: the raw count.</summary>
    public required double Value { get; init; }

    /// <summary>Analog: the entry's unit.</summary>
    public string? Unit { get; init; }

    /// <summary>State: the label of the value from the map, when defined.</summary>
    public string? Label { get; init; }

    /// <summary>Counter: raw, delta, epoch and width.</summary>
    public CounterUpdate? Counter { get; init; }

    /// <summary>The unit of an analog entry whose map names none: the contract requires one, and "1" is SI's dimensionless unit.</summary>
    public const string DimensionlessUnit = "1";

    /// <summary>The contract reading.</summary>
    /// <param name="seq">The reading's sequence number from the gateway's counter.</param>
    /// <returns>A counter, state or analog reading whose device is the PLC and whose channel is the register-map entry.</returns>
    public Reading ToReading(long seq) => Meaning switch
    {
        RegisterMeaning.Counter when Counter is { } c => new CounterReading
        {
            Seq = seq,
            Device = Device,
            Channel = Point,
            Ts = Ts,
            Raw = c.Raw,
            Delta = c.Delta,
            Epoch = c.Epoch,
            Width = c.Width,
        },
        RegisterMeaning.State => new StateReading { Seq = seq, Device = Device,
            Channel = Point, Ts = Ts, Value = (int)Value, Label = Label },
        RegisterMeaning.Analog => new AnalogReading { Seq = seq, Device = Device,
            Channel = Point, Ts = Ts, Value = Value, Unit = Unit ?? DimensionlessUnit },
        _ => throw new InvalidOperationException($"Point '{Point}' of '{Device}' has meaning {Meaning} without the data it needs."),
    };
}
