using System.Globalization;

namespace Edge.Contracts;

/// <summary>One reader per message record: the contract's field rules, ranges and cross-field checks.</summary>
internal static class MessageReaders
{
    private readonly record struct Envelope(string Schema, string GatewayId, long Seq, DateTimeOffset Ts, bool ClockSynced, bool Replay);

    public static IContractMessage? Read(MessageKind kind, ObjectReader r, string schema) => kind switch
    {
        MessageKind.Readings => ReadBatch(r, schema),
        MessageKind.Scans => ReadScan(r, schema),
        MessageKind.Birth => ReadBirth(r, schema),
        MessageKind.Death => ReadDeath(r, schema),
        MessageKind.Health => ReadHealth(r, schema),
        MessageKind.Ack => ReadAck(r, schema),
        MessageKind.Command => ReadCommand(r, schema),
        MessageKind.Alert => ReadAlert(r, schema),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown message kind."),
    };

    /// <summary>Reads <c>schema</c>: "major.minor", any minor of our major.</summary>
    public static string? ReadSchema(ObjectReader r)
    {
        var text = r.AnyString("schema", required: true);
        if (text is null)
        {
            return null;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || !TryParseVersionPart(text.AsSpan(0, dot), out var major) || !TryParseVersionPart(text.AsSpan(dot + 1), out _))
        {
            r.Fail(DecodeErrorCode.InvalidVersion, "schema", $"'{text}' is not \"major.minor\" such as \"{ContractInfo.SchemaVersion}\".");
            return null;
        }

        if (major != ContractInfo.SchemaMajor)
        {
            r.Fail(DecodeErrorCode.UnknownMajorVersion, "schema",
                $"Major version {major} is not {ContractInfo.SchemaMajor}; version {major} messages travel under edge/v{major}.");
            return null;
        }

        return text;
    }

    /// <summary>A version number: 1-9 digits without a leading zero ("0" itself is fine).</summary>
    private static bool TryParseVersionPart(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        return text.Length is >= 1 and <= 9
            && (text.Length == 1 || text[0] != '0')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static Envelope ReadEnvelope(ObjectReader r, string schema, long minSeq) => new(
        schema,
        r.Id("gatewayId"),
        r.Seq("seq", minSeq),
        r.Timestamp("ts"),
        r.Bool("clockSynced"),
        r.Bool("replay"));

    private static ReadingBatch? ReadBatch(ObjectReader r, string schema)
    {
        var envelope = ReadEnvelope(r, schema, minSeq: 1);
        var readings = r.Array("readings", required: true, 1, ContractLimits.MaxReadingsPerBatch, ReadReading);
        if (r.Failed || readings is null)
        {
            return null;
        }

        for (var i = 1; i < readings.Length; i++)
        {
            if (readings[i].Seq <= readings[i - 1].Seq)
            {
                r.Fail(DecodeErrorCode.InvalidSequence, $"readings[{i}].seq",
                    $"{readings[i].Seq} does not follow {readings[i - 1].Seq}; reading seqs must strictly increase.");
                return null;
            }
        }

        if (envelope.Seq != readings[^1].Seq)
        {
            r.Fail(DecodeErrorCode.InvalidSequence, "seq",
                $"{envelope.Seq} is not the highest reading seq {readings[^1].Seq}.");
            return null;
        }

        return new ReadingBatch
        {
            Schema = envelope.Schema,
            GatewayId = envelope.GatewayId,
            Seq = envelope.Seq,
            Ts = envelope.Ts,
            ClockSynced = envelope.ClockSynced,
            Replay = envelope.Replay,
            Readings = readings,
        };
    }

    private static Reading? ReadReading(ObjectReader r)
    {
        // The discriminator first: a reading of an unknown kind should say so, not complain about its members.
        var kind = r.String(Reading.DiscriminatorName, required: true, maxLength: ContractLimits.MaxLabelLength);
        if (r.Failed)
        {
            return null;
        }

        if (kind is not (Reading.WeightKind or Reading.CounterKind or Reading.AnalogKind or Reading.StateKind))
        {
            r.Fail(DecodeErrorCode.UnknownDiscriminator, Reading.DiscriminatorName,
                $"'{kind}' is not one of {Reading.WeightKind},{Reading.CounterKind},{Reading.AnalogKind},{Reading.StateKind}.");
            return null;
        }

        var seq = r.Seq("seq");
        var device = r.Id("device");
        var channel = r.OptionalId("channel");
        var ts = r.Timestamp("ts");
        return kind switch
        {
            Reading.WeightKind => ReadWeight(r, seq, device, channel, ts),
            Reading.CounterKind => ReadCounter(r, seq, device, channel, ts),
            Reading.AnalogKind => ReadAnalog(r, seq, device, channel, ts),
            _ => ReadState(r, seq, device, channel, ts),
        };
    }

    private static WeightReading? ReadWeight(ObjectReader r, long seq, string device, string? channel, DateTimeOffset ts)
    {
        var valueKg = r.OptionalNumber("valueKg", -ContractLimits.MaxAbsWeightKg, ContractLimits.MaxAbsWeightKg);
        var stable = r.Bool("stable");
        var motion = r.Bool("motion");
        var mode = r.Enum("mode", WireEnums.WeightMode);
        var status = r.Enum("status", WireEnums.IndicatorStatus);
        var tareKg = r.OptionalNumber("tareKg", 0, ContractLimits.MaxAbsWeightKg);
        if (r.Failed)
        {
            return null;
        }

        if (status == IndicatorStatus.Ok && valueKg is null)
        {
            r.Fail(DecodeErrorCode.MissingField, "valueKg", "'valueKg' is required when the indicator status is ok.");
            return null;
        }

        return new WeightReading
        {
            Seq = seq,
            Device = device,
            Channel = channel,
            Ts = ts,
            ValueKg = valueKg,
            Stable = stable,
            Motion = motion,
            Mode = mode,
            Status = status,
            TareKg = tareKg,
        };
    }

    private static CounterReading? ReadCounter(ObjectReader r, long seq, string device, string? channel, DateTimeOffset ts)
    {
        var raw = r.UnsignedInteger("raw", ulong.MaxValue);
        var delta = r.UnsignedInteger("delta", ulong.MaxValue);
        var epoch = r.Integer("epoch", 0, ContractLimits.MaxSeq);
        var width = (int)r.Integer("width", 0, 64);
        if (r.Failed)
        {
            return null;
        }

        if (width is not (16 or 32 or 64))
        {
            r.Fail(DecodeErrorCode.OutOfRange, "width", $"{width} is not one of 16,32,64.");
            return null;
        }

        // The largest value a counter of this width holds: 2^width - 1.
        var max = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        if (raw > max)
        {
            r.Fail(DecodeErrorCode.OutOfRange, "raw", $"{raw} does not fit a {width}-bit counter.");
            return null;
        }

        if (delta > max)
        {
            r.Fail(DecodeErrorCode.OutOfRange, "delta", $"{delta} is more than a {width}-bit counter can advance between two readings.");
            return null;
        }

        return new CounterReading { Seq = seq, Device = device, Channel = channel, Ts = ts, Raw = raw, Delta = delta, Epoch = epoch, Width = width };
    }

    private static AnalogReading? ReadAnalog(ObjectReader r, long seq, string device, string? channel, DateTimeOffset ts)
    {
        var value = r.Number("value", -ContractLimits.MaxAbsValue, ContractLimits.MaxAbsValue);
        var unit = r.String("unit", required: true, ContractLimits.MaxUnitLength);
        if (r.Failed || unit is null)
        {
            return null;
        }

        return new AnalogReading { Seq = seq, Device = device, Channel = channel, Ts = ts, Value = value, Unit = unit };
    }

    private static StateReading? ReadState(ObjectReader r, long seq, string device, string? channel, DateTimeOffset ts)
    {
        var value = (int)r.Integer("value", int.MinValue, int.MaxValue);
        var label = r.String("label", required: false, ContractLimits.MaxLabelLength);
        if (r.Failed)
        {
            return null;
        }

        return new StateReading { Seq = seq, Device = device, Channel = channel, Ts = ts, Value = value, Label = label };
    }

    private static ScanEvent? ReadScan(ObjectReader r, string schema)
    {
        var envelope = ReadEnvelope(r, schema, minSeq: 1);
        var device = r.Id("device");
        var station = r.Id("station");
        var code = r.String("code", required: true, ContractLimits.MaxCodeLength);
        var tech = r.Enum("tech", WireEnums.ScanTech);
        var symbology = r.String("symbology", required: false, ContractLimits.MaxLabelLength);
        if (r.Failed || code is null)
        {
            return null;
        }

        return new ScanEvent
        {
            Schema = envelope.Schema,
            GatewayId = envelope.GatewayId,
            Seq = envelope.Seq,
            Ts = envelope.Ts,
            ClockSynced = envelope.ClockSynced,
            Replay = envelope.Replay,
            Device = device,
            Station = station,
            Code = code,
            Tech = tech,
            Symbology = symbology,
        };
    }

    private static DeviceStatus? ReadDeviceStatus(ObjectReader r)
    {
        var device = r.Id("device");
        var state = r.Enum("state", WireEnums.DeviceState);
        var lastGoodReadAt = r.OptionalTimestamp("lastGoodReadAt");
        var errorCount = r.Integer("errorCount", 0, ContractLimits.MaxSeq);
        var message = r.String("message", required: false, ContractLimits.MaxTextLength);
        if (r.Failed)
        {
            return null;
        }

        return new DeviceStatus { Device = device, State = state, LastGoodReadAt = lastGoodReadAt, ErrorCount = errorCount, Message = message };
    }

    private static DeviceHealth? ReadHealth(ObjectReader r, string schema)
    {
        // Birth, death and health carry the seq high-water mark, 0 before the first reading.
        var envelope = ReadEnvelope(r, schema, minSeq: 0);
        var status = ReadDeviceStatus(r);
        if (r.Failed || status is null)
        {
            return null;
        }

        return new DeviceHealth
        {
            Schema = envelope.Schema,
            GatewayId = envelope.GatewayId,
            Seq = envelope.Seq,
            Ts = envelope.Ts,
            ClockSynced = envelope.ClockSynced,
            Replay = envelope.Replay,
            Device = status.Device,
            State = status.State,
            LastGoodReadAt = status.LastGoodReadAt,
            ErrorCount = status.ErrorCount,
            Message = status.Message,
        };
    }

    private static GatewayBirth? ReadBirth(ObjectReader r, string schema)
    {
        var envelope = ReadEnvelope(r, schema, minSeq: 0);
        var session = r.Integer("session", 1, ContractLimits.MaxSeq);
        var softwareVersion = r.String("softwareVersion", required: false, ContractLimits.MaxLabelLength);
        var devices = r.Array("devices", required: true, 0, ContractLimits.MaxDevicesPerBirth, ReadDeviceStatus);
        var abandoned = ReadAbandonments(r, envelope.Seq);
        if (r.Failed || devices is null)
        {
            return null;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < devices.Length; i++)
        {
            if (!seen.Add(devices[i].Device))
            {
                r.Fail(DecodeErrorCode.OutOfRange, $"devices[{i}].device", $"Device '{devices[i].Device}' is listed twice.");
                return null;
            }
        }

        return new GatewayBirth
        {
            Schema = envelope.Schema,
            GatewayId = envelope.GatewayId,
            Seq = envelope.Seq,
            Ts = envelope.Ts,
            ClockSynced = envelope.ClockSynced,
            Replay = envelope.Replay,
            Session = session,
            SoftwareVersion = softwareVersion,
            Devices = devices,
            Abandoned = abandoned,
        };
    }

    private static GatewayDeath? ReadDeath(ObjectReader r, string schema)
    {
        var envelope = ReadEnvelope(r, schema, minSeq: 0);
        var session = r.Integer("session", 1, ContractLimits.MaxSeq);
        var graceful = r.Bool("graceful");
        if (r.Failed)
        {
            return null;
        }

        return new GatewayDeath
        {
            Schema = envelope.Schema,
            GatewayId = envelope.GatewayId,
            Seq = envelope.Seq,
            Ts = envelope.Ts,
            ClockSynced = envelope.ClockSynced,
            Replay = envelope.Replay,
            Session = session,
            Graceful = graceful,
        };
    }

    /// <summary>
    /// A birth's <c>abandoned</c> declarations (since 1.1): each numbered by the gateway's counter, so none can lie
    /// above the birth's high-water mark, and listed once each in ascending order.
    /// </summary>
    private static SeqAbandonment[]? ReadAbandonments(ObjectReader r, long highWaterMark)
    {
        var declarations = r.Array("abandoned", required: false, 0, ContractLimits.MaxAbandonmentsPerBirth, ReadAbandonment);
        if (r.Failed || declarations is null)
        {
            return null;
        }

        for (var i = 0; i < declarations.Length; i++)
        {
            if (declarations[i].Seq > highWaterMark)
            {
                r.Fail(DecodeErrorCode.InvalidSequence, $"abandoned[{i}].seq",
                    $"{declarations[i].Seq} is above the birth's seq {highWaterMark}, the latest the gateway has assigned.");
                return null;
            }

            if (i > 0 && declarations[i].Seq <= declarations[i - 1].Seq)
            {
                r.Fail(DecodeErrorCode.InvalidSequence, $"abandoned[{i}].seq",
                    $"{declarations[i].Seq} does not follow {declarations[i - 1].Seq}; declarations are listed once each, ascending.");
                return null;
            }
        }

        return declarations;
    }

    private static SeqAbandonment? ReadAbandonment(ObjectReader r)
    {
        var seq = r.Seq("seq");
        var reason = r.Id("reason");
        var ranges = r.Array("ranges", required: true, 1, ContractLimits.MaxAbandonedRanges, ReadRange);
        var ts = r.Timestamp("ts");
        var note = r.String("note", required: false, ContractLimits.MaxTextLength);
        if (r.Failed || ranges is null)
        {
            return null;
        }

        // Ascending without overlap, and all below the declaration's own seq: a gateway can only give up numbers it
        // handed out (or skipped) before it made the declaration, never future ones.
        for (var i = 1; i < ranges.Length; i++)
        {
            if (ranges[i].From <= ranges[i - 1].To)
            {
                r.Fail(DecodeErrorCode.InvalidSequence, $"ranges[{i}].from",
                    $"{ranges[i].From} must be above {ranges[i - 1].To}, the previous range's end: ranges ascend without overlap.");
                return null;
            }
        }

        if (ranges[^1].To >= seq)
        {
            r.Fail(DecodeErrorCode.InvalidSequence, $"ranges[{ranges.Length - 1}].to",
                $"{ranges[^1].To} is not below the declaration's own seq {seq}.");
            return null;
        }

        return new SeqAbandonment { Seq = seq, Reason = reason, Ranges = ranges, Ts = ts, Note = note };
    }

    private static SeqRange? ReadRange(ObjectReader r)
    {
        var from = r.Seq("from");
        var to = r.Seq("to");
        if (r.Failed)
        {
            return null;
        }

        if (to < from)
        {
            r.Fail(DecodeErrorCode.InvalidSequence, "to", $"{to} is below from {from}.");
            return null;
        }

        return new SeqRange { From = from, To = to };
    }

    private static Acknowledgement? ReadAck(ObjectReader r, string schema)
    {
        var gatewayId = r.Id("gatewayId");
        var storedThrough = r.Seq("storedThrough", min: 0);
        var ranges = r.Array("ranges", required: false, 0, ContractLimits.MaxAckRanges, ReadRange);
        var ts = r.Timestamp("ts");
        if (r.Failed)
        {
            return null;
        }

        var floor = storedThrough;
        for (var i = 0; ranges is not null && i < ranges.Length; i++)
        {
            if (ranges[i].From <= floor)
            {
                r.Fail(DecodeErrorCode.InvalidSequence, $"ranges[{i}].from",
                    $"{ranges[i].From} must be above {floor} (the watermark or the previous range's end): ranges ascend without overlap.");
                return null;
            }

            floor = ranges[i].To;
        }

        return new Acknowledgement { Schema = schema, GatewayId = gatewayId, StoredThrough = storedThrough, Ranges = ranges, Ts = ts };
    }

    private static Command? ReadCommand(ObjectReader r, string schema)
    {
        var commandId = r.Id("commandId");
        var gatewayId = r.Id("gatewayId");
        var device = r.Id("device");
        var action = r.Enum("action", WireEnums.CommandAction);
        var value = r.Enum("value", WireEnums.OutputValue);
        var durationS = r.OptionalNumber("durationS", 0, ContractLimits.MaxPulseSeconds);
        var issuedAt = r.Timestamp("issuedAt");
        var expiresAt = r.Timestamp("expiresAt", checkFuture: false);
        if (r.Failed)
        {
            return null;
        }

        if (value == OutputValue.Pulse && durationS is null)
        {
            r.Fail(DecodeErrorCode.MissingField, "durationS", "'durationS' is required for a pulse.");
            return null;
        }

        if (value != OutputValue.Pulse && durationS is not null)
        {
            r.Fail(DecodeErrorCode.OutOfRange, "durationS", "'durationS' applies to a pulse only.");
            return null;
        }

        if (durationS is <= 0)
        {
            r.Fail(DecodeErrorCode.OutOfRange, "durationS", $"{durationS} must be more than 0.");
            return null;
        }

        if (expiresAt <= issuedAt || expiresAt - issuedAt > ContractLimits.MaxCommandLifetime)
        {
            r.Fail(DecodeErrorCode.OutOfRange, "expiresAt",
                $"Must be after issuedAt and at most {ContractLimits.MaxCommandLifetime.TotalHours} h after it.");
            return null;
        }

        return new Command
        {
            Schema = schema,
            CommandId = commandId,
            GatewayId = gatewayId,
            Device = device,
            Action = action,
            Value = value,
            DurationS = durationS,
            IssuedAt = issuedAt,
            ExpiresAt = expiresAt,
        };
    }

    private static Alert? ReadAlert(ObjectReader r, string schema)
    {
        var alertId = r.Id("alertId");
        var site = r.Id("site");
        var level = r.Enum("level", WireEnums.AlertLevel);
        var indicator = r.Id("indicator");
        var subject = r.String("subject", required: true, ContractLimits.MaxTextLength);
        var message = r.String("message", required: true, ContractLimits.MaxTextLength);
        var value = r.Number("value", -ContractLimits.MaxAbsValue, ContractLimits.MaxAbsValue);
        var threshold = r.Number("threshold", -ContractLimits.MaxAbsValue, ContractLimits.MaxAbsValue);
        var unit = r.String("unit", required: false, ContractLimits.MaxUnitLength);
        var state = r.Enum("state", WireEnums.AlertState);
        var raisedAt = r.Timestamp("raisedAt");
        var ts = r.Timestamp("ts");
        if (r.Failed || subject is null || message is null)
        {
            return null;
        }

        if (MessageKindRules.IsKindSegment(alertId))
        {
            r.Fail(DecodeErrorCode.InvalidId, "alertId", $"'{alertId}' is reserved: alert ids may not be message-kind names.");
            return null;
        }

        if (ts < raisedAt)
        {
            r.Fail(DecodeErrorCode.OutOfRange, "ts", "Must not be before raisedAt.");
            return null;
        }

        return new Alert
        {
            Schema = schema,
            AlertId = alertId,
            Site = site,
            Level = level,
            Indicator = indicator,
            Subject = subject,
            Message = message,
            Value = value,
            Threshold = threshold,
            Unit = unit,
            State = state,
            RaisedAt = raisedAt,
            Ts = ts,
        };
    }
}
