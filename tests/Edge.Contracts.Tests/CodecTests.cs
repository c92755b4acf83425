using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Edge.Contracts.Tests;

public sealed class CodecTests
{
    private static readonly DateTimeOffset s_now = ContractFiles.Now;

    [Fact]
    public void Weight_batch_decodes_into_typed_readings_with_their_values()
    {
        Assert.True(ContractCodec.TryDecode<ReadingBatch>(ContractFiles.Example("reading-batch.weight.json"), s_now, out var batch, out _));

        Assert.Equal("gw-wb-01", batch.GatewayId);
        Assert.Equal(1043, batch.Seq);
        Assert.Equal("1.0", batch.Schema);
        Assert.True(batch.ClockSynced);
        Assert.False(batch.Replay);
        var net = Assert.IsType<WeightReading>(batch.Readings[2]);
        Assert.Equal(412.5, net.ValueKg);
        Assert.Equal(18.5, net.TareKg);
        Assert.Equal(WeightMode.Net, net.Mode);
        Assert.True(net.Stable);
        Assert.Equal(new DateTimeOffset(2025, 5, 20, 1, 12, 5, TimeSpan.Zero), net.Ts);
        Assert.Equal(TimeSpan.Zero, net.Ts.Offset);
    }

    [Fact]
    public void Line_batch_decodes_counter_state_and_analog_readings()
    {
        Assert.True(ContractCodec.TryDecode<ReadingBatch>(ContractFiles.Example("reading-batch.line.json"), s_now, out var batch, out _));

        var bales = Assert.IsType<CounterReading>(batch.Readings[0]);
        Assert.Equal((70011UL, 1UL, 2L, 32), (bales.Raw, bales.Delta, bales.Epoch, bales.Width));
        Assert.Equal("bale_count", bales.Channel);
        var run = Assert.IsType<StateReading>(batch.Readings[2]);
        Assert.Equal((1, "run"), (run.Value, run.Label));
        var pressure = Assert.IsType<AnalogReading>(batch.Readings[3]);
        Assert.Equal((17350.0, "kPa"), (pressure.Value, pressure.Unit));
    }

    [Fact]
    public void Overloaded_scale_reading_may_omit_its_value()
    {
        Assert.True(ContractCodec.TryDecode<ReadingBatch>(ContractFiles.Example("reading-batch.replay.json"), s_now, out var batch, out _));

        var overload = Assert.IsType<WeightReading>(batch.Readings[0]);
        Assert.Null(overload.ValueKg);
        Assert.Equal(IndicatorStatus.Overload, overload.Status);
        Assert.True(batch.Replay);
        Assert.False(batch.ClockSynced);
    }

    [Fact]
    public void Newer_minor_version_with_unknown_members_is_accepted()
    {
        // Additive change within major 1: a 1.7 writer adds members a 1.0 reader does not know; they are ignored.
        var payload = MalformedPayloads.Mutate("scan-event.barcode.json", n =>
        {
            n["schema"] = "1.7";
            n["operator"] = "wang.li";
            n["geo"] = new JsonObject { ["lat"] = 30.2, ["lon"] = 120.1 };
        });

        Assert.True(ContractCodec.TryDecode<ScanEvent>(payload, s_now, out var scan, out var error), error?.ToString());
        Assert.Equal("1.7", scan.Schema);
        Assert.Equal("LOT-2025-05-0173", scan.Code);
    }

    [Fact]
    public void Future_skew_is_measured_against_the_given_clock()
    {
        var payload = MalformedPayloads.Mutate("device-health.json", n => n["ts"] = "2025-06-01T23:00:00Z");

        Assert.True(ContractCodec.TryDecode<DeviceHealth>(payload, new FixedClock(s_now), out _, out _));
        Assert.False(ContractCodec.TryDecode<DeviceHealth>(payload, new FixedClock(s_now.AddHours(-2)), out _, out var error));
        Assert.Equal(DecodeErrorCode.TimestampInFuture, error.Code);
    }

    [Fact]
    public void Timestamp_written_with_plus_zero_offset_counts_as_utc()
    {
        var payload = MalformedPayloads.Mutate("device-health.json", n => n["ts"] = "2025-05-20T02:05:00+00:00");

        Assert.True(ContractCodec.TryDecode<DeviceHealth>(payload, s_now, out var health, out _));
        Assert.Equal(new DateTimeOffset(2025, 5, 20, 2, 5, 0, TimeSpan.Zero), health.Ts);
    }

    [Fact]
    public void Leading_byte_order_mark_is_ignored()
    {
        byte[] payload = [.. "\uFEFF"u8, .. ContractFiles.Example("gateway-death.will.json")];

        Assert.True(ContractCodec.TryDecode<GatewayDeath>(payload, s_now, out var death, out var error), error?.ToString());
        Assert.False(death.Graceful);
        Assert.False(ContractCodec.TryDecode<GatewayDeath>("\uFEFF"u8, s_now, out _, out error));
        Assert.Equal(DecodeErrorCode.EmptyPayload, error.Code);
    }

    [Fact]
    public void Health_seq_may_be_zero_before_the_first_reading()
    {
        var payload = MalformedPayloads.Mutate("device-health.json", n => n["seq"] = 0);

        Assert.True(ContractCodec.TryDecode<DeviceHealth>(payload, s_now, out var health, out _));
        Assert.Equal(0, health.Seq);
    }

    [Fact]
    public void Scan_seq_may_not_be_zero()
    {
        var payload = MalformedPayloads.Mutate("scan-event.rfid.json", n => n["seq"] = 0);

        Assert.False(ContractCodec.TryDecode<ScanEvent>(payload, s_now, out _, out var error));
        Assert.Equal(DecodeErrorCode.InvalidSequence, error.Code);
    }

    [Fact]
    public void Message_of_another_kind_does_not_decode_as_a_batch()
    {
        Assert.False(ContractCodec.TryDecode<ReadingBatch>(ContractFiles.Example("scan-event.barcode.json"), s_now, out _, out var error));

        Assert.Equal(DecodeErrorCode.MissingField, error.Code);
        Assert.Equal("$.readings", error.Path);
    }

    [Fact]
    public void A_full_batch_of_5000_weight_readings_fits_the_payload_limit_and_decodes()
    {
        var readings = Enumerable.Range(1, ContractLimits.MaxReadingsPerBatch).Select(i => (Reading)new WeightReading
        {
            Seq = 1_000_000_000 + i,
            Device = "truck-scale-1",
            Ts = s_now.AddDays(-1).AddMilliseconds(i * 125),
            ValueKg = 31_460.5 + i,
            Stable = true,
            Motion = false,
            Mode = WeightMode.Gross,
            Status = IndicatorStatus.Ok,
        }).ToArray();
        var batch = new ReadingBatch { GatewayId = "gw-wb-01", Seq = readings[^1].Seq, Ts = s_now, ClockSynced = true, Replay = true, Readings = readings };

        var payload = ContractCodec.Encode(batch);

        Assert.True(payload.Length <= ContractLimits.MaxPayloadBytes, $"{payload.Length} bytes");
        Assert.True(ContractCodec.TryDecode<ReadingBatch>(payload, s_now, out var decoded, out var error), error?.ToString());
        Assert.Equal(ContractLimits.MaxReadingsPerBatch, decoded.Readings.Count);
    }

    [Fact]
    public void Decoding_with_a_type_that_is_not_a_contract_record_is_a_programming_error()
    {
        Assert.Throws<NotSupportedException>(() => ContractCodec.TryDecode<NotAMessage>("{}"u8, s_now, out _, out _));
        Assert.Throws<NotSupportedException>(() => ContractCodec.Encode(new NotAMessage()));
    }

    [Fact]
    public void Topic_decode_returns_the_parts_and_the_message()
    {
        var ok = ContractCodec.TryDecode("edge/v1/hz-plant/baling/gw-bp-01/health/bale-scale-2", ContractFiles.Example("device-health.json"), s_now,
            out var parts, out var message, out var error);

        Assert.True(ok, error?.ToString());
        Assert.Equal(MessageKind.Health, parts!.Kind);
        Assert.IsType<DeviceHealth>(message);
    }

    [Theory]
    [InlineData("edge/v1/hz-plant/baling/gw-OTHER/health/bale-scale-2", "device-health.json", "$.gatewayId")]
    [InlineData("edge/v1/hz-plant/baling/gw-bp-01/health/other-device", "device-health.json", "$.device")]
    [InlineData("edge/v1/hz-plant/baling/gw-bp-01/cmd/other-device", "command.on.json", "$.device")]
    [InlineData("edge/v1/hz-plant/weighbridge/gw-wb-02/ack", "acknowledgement.watermark.json", "$.gatewayId")]
    [InlineData("edge/v1/hz-plant/alerts/red/inv-copper-scrap-min-0042", "alert.raised.json", "$.level")]
    [InlineData("edge/v1/other-site/alerts/orange/inv-copper-scrap-min-0042", "alert.raised.json", "$.site")]
    [InlineData("edge/v1/hz-plant/alerts/orange/inv-other", "alert.raised.json", "$.alertId")]
    public void Payload_that_disagrees_with_its_topic_is_rejected(string topic, string example, string path)
    {
        Assert.False(ContractCodec.TryDecode(topic, ContractFiles.Example(example), s_now, out var parts, out var message, out var error));

        Assert.NotNull(parts);
        Assert.Null(message);
        Assert.Equal(DecodeErrorCode.TopicMismatch, error.Code);
        Assert.Equal(path, error.Path);
    }

    [Fact]
    public void Payload_on_a_wrong_topic_is_rejected_as_invalid_topic()
    {
        Assert.False(ContractCodec.TryDecode("edge/v1/hz-plant/baling/gw-bp-01/telemetry", ContractFiles.Example("device-health.json"), s_now,
            out var parts, out _, out var error));

        Assert.Null(parts);
        Assert.Equal(DecodeErrorCode.InvalidTopic, error.Code);
        Assert.Contains("UnknownKind", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_retained_payload_is_reported_as_empty_not_malformed()
    {
        // An empty retained publish removes a retained alert; subscribers recognise it by this code.
        Assert.False(ContractCodec.TryDecode("edge/v1/hz-plant/alerts/orange/inv-7", [], s_now, out var parts, out _, out var error));

        Assert.Equal(DecodeErrorCode.EmptyPayload, error.Code);
        Assert.Equal("inv-7", parts!.AlertId);
    }

    [Fact]
    public void Acknowledgement_tells_which_seqs_are_stored()
    {
        Assert.True(ContractCodec.TryDecode<Acknowledgement>(ContractFiles.Example("acknowledgement.json"), s_now, out var ack, out _));

        long[] stored = [1, 88200, 88203, 88205, 88207, 88210, 88213];
        long[] notStored = [0, -1, 88201, 88202, 88208, 88209, 88214, long.MaxValue];
        Assert.All(stored, seq => Assert.True(ack.IsStored(seq), seq.ToString()));
        Assert.All(notStored, seq => Assert.False(ack.IsStored(seq), seq.ToString()));
    }

    [Fact]
    public void Command_expires_at_its_expiry_instant()
    {
        Assert.True(ContractCodec.TryDecode<Command>(ContractFiles.Example("command.pulse.json"), s_now, out var command, out _));

        Assert.False(command.IsExpired(command.ExpiresAt.AddTicks(-1)));
        Assert.True(command.IsExpired(command.ExpiresAt));
        Assert.Equal(1.5, command.DurationS);
    }

    [Fact]
    public void Validate_accepts_a_sound_message_before_it_is_sent()
    {
        var health = new DeviceHealth
        {
            GatewayId = "gw-1",
            Seq = 0,
            Ts = s_now,
            ClockSynced = true,
            Device = "scale-1",
            State = DeviceState.Ok,
            ErrorCount = 0,
        };

        Assert.True(ContractCodec.TryValidate(health, s_now, out var error), error?.ToString());
    }

    [Theory]
    [InlineData(double.NaN, DecodeErrorCode.NonFiniteNumber)]
    [InlineData(double.PositiveInfinity, DecodeErrorCode.NonFiniteNumber)]
    [InlineData(1.5e6, DecodeErrorCode.OutOfRange)]
    public void Validate_refuses_a_weight_the_hub_would_reject(double valueKg, DecodeErrorCode expected)
    {
        var batch = new ReadingBatch
        {
            GatewayId = "gw-1",
            Seq = 5,
            Ts = s_now,
            ClockSynced = true,
            Readings = [new WeightReading { Seq = 5, Device = "scale-1", Ts = s_now, ValueKg = valueKg, Stable = true, Motion = false, Mode = WeightMode.Gross, Status = IndicatorStatus.Ok }],
        };

        Assert.False(ContractCodec.TryValidate(batch, s_now, out var error));
        Assert.Equal(expected, error.Code);
    }

    [Fact]
    public void Validate_refuses_an_id_that_cannot_be_a_topic_segment()
    {
        var command = new Command
        {
            CommandId = "c 1",
            GatewayId = "gw-1",
            Device = "lamp",
            Action = CommandAction.SetOutput,
            Value = OutputValue.On,
            IssuedAt = s_now,
            ExpiresAt = s_now.AddMinutes(1),
        };

        Assert.False(ContractCodec.TryValidate(command, s_now, out var error));
        Assert.Equal(DecodeErrorCode.InvalidId, error.Code);
        Assert.Equal("$.commandId", error.Path);
    }

    [Fact]
    public void Json_context_used_directly_refuses_non_utc_timestamps()
    {
        var payload = MalformedPayloads.Mutate("device-health.json", n => n["ts"] = "2025-05-20T10:05:00+08:00");

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(payload, ContractJsonContext.Default.DeviceHealth));
    }

    [Fact]
    public void Decode_error_prints_code_path_and_reason()
    {
        var error = new DecodeError(DecodeErrorCode.MissingField, "'seq' is required.", "$.seq");

        Assert.Equal("MissingField at $.seq: 'seq' is required.", error.ToString());
    }

    [Fact]
    public void Encoded_payload_omits_absent_optional_members()
    {
        var reading = new StateReading { Seq = 1, Device = "plc", Ts = s_now, Value = 0 };
        var batch = new ReadingBatch { GatewayId = "g", Seq = 1, Ts = s_now, ClockSynced = false, Readings = [reading] };

        var json = Encoding.UTF8.GetString(ContractCodec.Encode(batch));

        Assert.DoesNotContain("label", json, StringComparison.Ordinal);
        Assert.DoesNotContain("channel", json, StringComparison.Ordinal);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
    }

    private sealed class NotAMessage : IContractMessage
    {
        public MessageKind Kind => MessageKind.Readings;

        public string Schema => "1.0";
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
