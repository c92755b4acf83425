using System.Text;
using Edge.Contracts;

namespace Edge.Hub.Influx;

/// <summary>Where a gateway message came from: the site and area segments of its topic and the gateway id.</summary>
/// <param name="Site">The site id (topic segment).</param>
/// <param name="Area">The area id (topic segment).</param>
/// <param name="GatewayId">The gateway id.</param>
internal readonly record struct PointSource(string Site, string Area, string GatewayId);

/// <summary>
/// The InfluxDB schema of the hub (documented in <c>Influx/README.md</c>): contract messages to points.
/// </summary>
/// <remarks>
/// Tags are only the ids of things (site, area, gateway, device; plus the unit of an analog device, which is fixed per
/// device and so adds no series). Sequence numbers, codes, labels and states are fields: as tags they would make a
/// series per value. Every point keeps the reading's own timestamp, so a replayed reading lands on the same series
/// and nanosecond and overwrites itself.
/// </remarks>
internal static class InfluxSchema
{
    private const int TagSectionSlots = 16;

    [ThreadStatic]
    private static TagSection?[]? t_tagSections;

    [ThreadStatic]
    private static int t_nextTagSection;

    /// <summary>Measurement of <see cref="WeightReading"/>.</summary>
    public const string WeightMeasurement = "weight";

    /// <summary>Measurement of <see cref="CounterReading"/>.</summary>
    public const string CounterMeasurement = "counter";

    /// <summary>Measurement of <see cref="AnalogReading"/>.</summary>
    public const string AnalogMeasurement = "analog";

    /// <summary>Measurement of <see cref="StateReading"/>.</summary>
    public const string StateMeasurement = "state";

    /// <summary>Measurement of <see cref="ScanEvent"/>.</summary>
    public const string ScanMeasurement = "scan";

    /// <summary>Measurement of <see cref="DeviceHealth"/>.</summary>
    public const string HealthMeasurement = "device_health";

    /// <summary>Tag: the site id.</summary>
    public const string SiteTag = "site";

    /// <summary>Tag: the area id.</summary>
    public const string AreaTag = "area";

    /// <summary>Tag: the gateway id.</summary>
    public const string GatewayTag = "gateway";

    /// <summary>Tag: the device id.</summary>
    public const string DeviceTag = "device";

    /// <summary>
    /// Tag: which value of a multi-value device (a PLC's register-map entry name); absent for single-value devices.
    /// Without it two channels polled in one cycle share a timestamp and overwrite each other in InfluxDB.
    /// </summary>
    public const string ChannelTag = "channel";

    /// <summary>Tag of <see cref="AnalogMeasurement"/>: the unit symbol.</summary>
    public const string UnitTag = "unit";

    /// <summary>Field on every point: the gateway's sequence number (an integer field, never a tag).</summary>
    public const string SeqField = "seq";

    /// <summary>Maps every reading of a batch, in order.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="site">The site segment of its topic.</param>
    /// <param name="area">The area segment of its topic.</param>
    /// <returns>One point per reading.</returns>
    public static IReadOnlyList<InfluxPoint> ToPoints(ReadingBatch batch, string site, string area)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var source = new PointSource(site, area, batch.GatewayId);
        var points = new InfluxPoint[batch.Readings.Count];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = ToPoint(batch.Readings[i], source);
        }

        return points;
    }

    /// <summary>Maps one reading.</summary>
    /// <param name="reading">The reading.</param>
    /// <param name="source">Site, area and gateway.</param>
    /// <returns>The point.</returns>
    /// <exception cref="ArgumentException">A reading kind this schema does not know.</exception>
    public static InfluxPoint ToPoint(Reading reading, PointSource source)
    {
        ArgumentNullException.ThrowIfNull(reading);
        return reading switch
        {
            WeightReading w => Weight(w, source),
            CounterReading c => Counter(c, source),
            AnalogReading a => Analog(a, source),
            StateReading s => State(s, source),
            _ => throw new ArgumentException($"No InfluxDB mapping for reading type {reading.GetType().Name}.", nameof(reading)),
        };
    }

    /// <summary>
    /// Adds the line of one reading: the bytes <see cref="LineProtocol"/> makes of
    /// <see cref="ToPoint(Reading, PointSource)"/>, written straight from the reading when nothing in it needs escaping
    /// (ids, units and labels as the contract allows them, finite numbers) and through the point otherwise, so the
    /// hot path allocates no point, no dictionaries and no string per reading.
    /// </summary>
    /// <param name="lines">Where the line goes.</param>
    /// <param name="reading">The reading.</param>
    /// <param name="source">Site, area and gateway.</param>
    public static void AppendLine(InfluxLinesBuilder lines, Reading reading, PointSource source)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(reading);
        if (!TryAppendPlainLine(lines, reading, source))
        {
            lines.Append(ToPoint(reading, source));
        }
    }

    /// <summary>Maps one scan.</summary>
    /// <param name="scan">The scan.</param>
    /// <param name="site">The site segment of its topic.</param>
    /// <param name="area">The area segment of its topic.</param>
    /// <returns>The point.</returns>
    public static InfluxPoint ToPoint(ScanEvent scan, string site, string area)
    {
        ArgumentNullException.ThrowIfNull(scan);
        var fields = new Dictionary<string, InfluxFieldValue>(6)
        {
            ["code"] = InfluxFieldValue.String(scan.Code),
            ["tech"] = InfluxFieldValue.String(Name(scan.Tech)),
            ["station"] = InfluxFieldValue.String(scan.Station),
            [SeqField] = InfluxFieldValue.Integer(scan.Seq),
        };
        if (!string.IsNullOrEmpty(scan.Symbology))
        {
            fields["symbology"] = InfluxFieldValue.String(scan.Symbology);
        }

        return new InfluxPoint
        {
            Measurement = ScanMeasurement,
            Tags = Tags(new PointSource(site, area, scan.GatewayId), scan.Device),
            Fields = fields,
            Timestamp = scan.Ts,
        };
    }

    /// <summary>Maps one device-health message.</summary>
    /// <param name="health">The message.</param>
    /// <param name="site">The site segment of its topic.</param>
    /// <param name="area">The area segment of its topic.</param>
    /// <returns>The point.</returns>
    public static InfluxPoint ToPoint(DeviceHealth health, string site, string area)
    {
        ArgumentNullException.ThrowIfNull(health);
        var fields = new Dictionary<string, InfluxFieldValue>(4)
        {
            ["state"] = InfluxFieldValue.String(Name(health.State)),
            ["error_count"] = InfluxFieldValue.Integer(health.ErrorCount),
            [SeqField] = InfluxFieldValue.Integer(health.Seq),
        };
        if (!string.IsNullOrEmpty(health.Message))
        {
            fields["message"] = InfluxFieldValue.String(health.Message);
        }

        return new InfluxPoint
        {
            Measurement = HealthMeasurement,
            Tags = Tags(new PointSource(site, area, health.GatewayId), health.Device),
            Fields = fields,
            Timestamp = health.Ts,
        };
    }

    // Keys in ordinal order, as LineProtocol sorts them; false (and nothing written) when a value is not plain.
    private static bool TryAppendPlainLine(InfluxLinesBuilder lines, Reading reading, PointSource source)
    {
        if (!LineProtocol.TryToUnixNanoseconds(reading.Ts, out var nanoseconds)
            || !LineProtocol.IsPlainName(source.Site)
            || !LineProtocol.IsPlainName(source.Area)
            || !LineProtocol.IsPlainName(source.GatewayId)
            || !LineProtocol.IsPlainName(reading.Device)
            || !(string.IsNullOrEmpty(reading.Channel) || LineProtocol.IsPlainName(reading.Channel)))
        {
            return false;
        }

        switch (reading)
        {
            case WeightReading w:
                var mode = Name(w.Mode);
                var state = Name(w.Status);
                if ((w.ValueKg is { } kg && !double.IsFinite(kg)) || (w.TareKg is { } tare && !double.IsFinite(tare))
                    || !LineProtocol.IsPlainString(mode) || !LineProtocol.IsPlainString(state))
                {
                    return false;
                }

                lines.Write("weight"u8);
                AppendTags(lines, source, reading, unit: null);
                if (w.ValueKg is { } value)
                {
                    lines.Write(" kg="u8);
                    lines.Write(value);
                    lines.Write(",mode=\""u8);
                }
                else
                {
                    lines.Write(" mode=\""u8);
                }

                lines.Write(mode);
                lines.Write(w.Motion ? "\",motion=true,seq="u8 : "\",motion=false,seq="u8);
                lines.Write(w.Seq);
                lines.Write(w.Stable ? "i,stable=true,state=\""u8 : "i,stable=false,state=\""u8);
                lines.Write(state);
                lines.Write("\""u8);
                if (w.TareKg is { } tareKg)
                {
                    lines.Write(",tare_kg="u8);
                    lines.Write(tareKg);
                }

                break;
            case CounterReading c:
                if (c.Raw > long.MaxValue || c.Delta > long.MaxValue)
                {
                    return false;
                }

                lines.Write("counter"u8);
                AppendTags(lines, source, reading, unit: null);
                lines.Write(" delta="u8);
                lines.Write((long)c.Delta);
                lines.Write("i,epoch="u8);
                lines.Write(c.Epoch);
                lines.Write("i,seq="u8);
                lines.Write(c.Seq);
                lines.Write("i,value="u8);
                lines.Write((long)c.Raw);
                lines.Write("i,width="u8);
                lines.Write(c.Width);
                lines.Write("i"u8);
                break;
            case AnalogReading a:
                if (!double.IsFinite(a.Value) || !LineProtocol.IsPlainName(a.Unit))
                {
                    return false;
                }

                lines.Write("analog"u8);
                AppendTags(lines, source, reading, a.Unit);
                lines.Write(" seq="u8);
                lines.Write(a.Seq);
                lines.Write("i,value="u8);
                lines.Write(a.Value);
                break;
            case StateReading s:
                var label = string.IsNullOrEmpty(s.Label) ? null : s.Label;
                if (label is not null && !LineProtocol.IsPlainString(label))
                {
                    return false;
                }

                lines.Write("state"u8);
                AppendTags(lines, source, reading, unit: null);
                if (label is not null)
                {
                    lines.Write(" label=\""u8);
                    lines.Write(label);
                    lines.Write("\",seq="u8);
                }
                else
                {
                    lines.Write(" seq="u8);
                }

                lines.Write(s.Seq);
                lines.Write("i,value="u8);
                lines.Write(s.Value);
                lines.Write("i"u8);
                break;
            default:
                return false;
        }

        lines.Write(" "u8);
        lines.Write(nanoseconds);
        lines.EndLine();
        return true;
    }

    // The tag section is the same bytes for every reading of one device channel, and a gateway's batches come from a
    // handful of them: remembered per thread, the section is copied rather than assembled tag by tag.
    private static void AppendTags(InfluxLinesBuilder lines, PointSource source, Reading reading, string? unit)
    {
        var cache = t_tagSections ??= new TagSection?[TagSectionSlots];
        var channel = string.IsNullOrEmpty(reading.Channel) ? null : reading.Channel;
        foreach (var entry in cache)
        {
            if (entry is not null && entry.Matches(source, reading.Device, channel, unit))
            {
                lines.Write(entry.Utf8);
                return;
            }
        }

        var utf8 = Encoding.UTF8.GetBytes(
            $",{AreaTag}={source.Area}{(channel is null ? null : $",{ChannelTag}={channel}")},{DeviceTag}={reading.Device},{GatewayTag}={source.GatewayId},{SiteTag}={source.Site}{(unit is null ? null : $",{UnitTag}={unit}")}");
        cache[t_nextTagSection] = new TagSection(source, reading.Device, channel, unit, utf8);
        t_nextTagSection = (t_nextTagSection + 1) % TagSectionSlots;
        lines.Write(utf8);
    }

    private static InfluxPoint Weight(WeightReading r, PointSource source)
    {
        var fields = new Dictionary<string, InfluxFieldValue>(7)
        {
            ["stable"] = InfluxFieldValue.Boolean(r.Stable),
            ["motion"] = InfluxFieldValue.Boolean(r.Motion),
            ["mode"] = InfluxFieldValue.String(Name(r.Mode)),
            ["state"] = InfluxFieldValue.String(Name(r.Status)),
            [SeqField] = InfluxFieldValue.Integer(r.Seq),
        };

        // No kg while the indicator shows no number (overload, fault): an absent field, not a fake zero.
        if (r.ValueKg is { } kg)
        {
            fields["kg"] = InfluxFieldValue.Float(kg);
        }

        if (r.TareKg is { } tare)
        {
            fields["tare_kg"] = InfluxFieldValue.Float(tare);
        }

        return Point(WeightMeasurement, Tags(source, r.Device, r.Channel), fields, r.Ts);
    }

    private static InfluxPoint Counter(CounterReading r, PointSource source)
    {
        var fields = new Dictionary<string, InfluxFieldValue>(5)
        {
            ["value"] = InfluxFieldValue.Unsigned(r.Raw),
            ["delta"] = InfluxFieldValue.Unsigned(r.Delta),
            ["epoch"] = InfluxFieldValue.Integer(r.Epoch),
            ["width"] = InfluxFieldValue.Integer(r.Width),
            [SeqField] = InfluxFieldValue.Integer(r.Seq),
        };
        return Point(CounterMeasurement, Tags(source, r.Device, r.Channel), fields, r.Ts);
    }

    private static InfluxPoint Analog(AnalogReading r, PointSource source)
    {
        var tags = Tags(source, r.Device, r.Channel);
        tags[UnitTag] = r.Unit;
        var fields = new Dictionary<string, InfluxFieldValue>(2)
        {
            ["value"] = InfluxFieldValue.Float(r.Value),
            [SeqField] = InfluxFieldValue.Integer(r.Seq),
        };
        return Point(AnalogMeasurement, tags, fields, r.Ts);
    }

    private static InfluxPoint State(StateReading r, PointSource source)
    {
        var fields = new Dictionary<string, InfluxFieldValue>(3)
        {
            ["value"] = InfluxFieldValue.Integer(r.Value),
            [SeqField] = InfluxFieldValue.Integer(r.Seq),
        };
        if (!string.IsNullOrEmpty(r.Label))
        {
            fields["label"] = InfluxFieldValue.String(r.Label);
        }

        return Point(StateMeasurement, Tags(source, r.Device, r.Channel), fields, r.Ts);
    }

    private static InfluxPoint Point(string measurement, Dictionary<string, string> tags, Dictionary<string, InfluxFieldValue> fields, DateTimeOffset ts) =>
        new() { Measurement = measurement, Tags = tags, Fields = fields, Timestamp = ts };

    private static Dictionary<string, string> Tags(PointSource source, string device, string? channel = null)
    {
        var tags = new Dictionary<string, string>(6)
        {
            [SiteTag] = source.Site,
            [AreaTag] = source.Area,
            [GatewayTag] = source.GatewayId,
            [DeviceTag] = device,
        };
        if (!string.IsNullOrEmpty(channel))
        {
            tags[ChannelTag] = channel;
        }

        return tags;
    }

    // The contract's JSON names, so dashboards and payloads use the same words.
    private static string Name(WeightMode mode) => mode switch
    {
        WeightMode.Gross => "gross",
        WeightMode.Net => "net",
        _ => mode.ToString(),
    };

    private static string Name(IndicatorStatus status) => status switch
    {
        IndicatorStatus.Ok => "ok",
        IndicatorStatus.Overload => "overload",
        IndicatorStatus.Underload => "underload",
        IndicatorStatus.ZeroError => "zero-error",
        IndicatorStatus.Fault => "fault",
        _ => status.ToString(),
    };

    private static string Name(ScanTech tech) => tech switch
    {
        ScanTech.Barcode => "barcode",
        ScanTech.Rfid => "rfid",
        _ => tech.ToString(),
    };

    private static string Name(DeviceState state) => state switch
    {
        DeviceState.Ok => "ok",
        DeviceState.Degraded => "degraded",
        DeviceState.Down => "down",
        _ => state.ToString(),
    };

    private sealed record TagSection(PointSource Source, string Device, string? Channel, string? Unit, byte[] Utf8)
    {
        public bool Matches(PointSource source, string device, string? channel, string? unit) =>
            string.Equals(Device, device, StringComparison.Ordinal)
            && string.Equals(Channel, channel, StringComparison.Ordinal)
            && string.Equals(Unit, unit, StringComparison.Ordinal)
            && string.Equals(Source.GatewayId, source.GatewayId, StringComparison.Ordinal)
            && string.Equals(Source.Area, source.Area, StringComparison.Ordinal)
            && string.Equals(Source.Site, source.Site, StringComparison.Ordinal);
    }
}
