using System.Text;
using System.Text.Json.Nodes;

namespace Edge.Contracts.Tests;

/// <summary>One malformed payload and what the codec must say about it.</summary>
/// <param name="Kind">The kind it is decoded as.</param>
/// <param name="Payload">The bytes.</param>
/// <param name="Expected">The error code the codec must report.</param>
/// <param name="Path">The JSON path the error must name, when it names one.</param>
/// <param name="SchemaRejects">Whether the JSON Schema can tell too (size, depth, order and clock rules it cannot).</param>
internal sealed record MalformedCase(MessageKind Kind, byte[] Payload, DecodeErrorCode Expected, string? Path, bool SchemaRejects);

/// <summary>The catalogue of malformed payloads, each derived from a golden example by one change.</summary>
internal static class MalformedPayloads
{
    private const string Batch = "reading-batch.weight.json";
    private const string Line = "reading-batch.line.json";
    private const string Placeholder = "@@RAW@@";

    public static readonly IReadOnlyDictionary<string, MalformedCase> All = Build();

    private static Dictionary<string, MalformedCase> Build()
    {
        var cases = new Dictionary<string, MalformedCase>(StringComparer.Ordinal);
        void Add(string name, MessageKind kind, byte[] payload, DecodeErrorCode expected, string? path = null, bool schemaRejects = true) =>
            cases.Add(name, new MalformedCase(kind, payload, expected, path, schemaRejects));
        void AddBatch(string name, Action<JsonObject> change, DecodeErrorCode expected, string? path = null, bool schemaRejects = true) =>
            Add(name, MessageKind.Readings, Mutate(Batch, change), expected, path, schemaRejects);

        var valid = ContractFiles.Example(Batch);
        var text = Encoding.UTF8.GetString(valid);

        // The payload as a whole.
        Add("Empty_payload", MessageKind.Readings, [], DecodeErrorCode.EmptyPayload, schemaRejects: false);
        Add("Payload_over_1_MiB", MessageKind.Readings, Encoding.UTF8.GetBytes(text.TrimEnd().TrimEnd('}') + ",\"pad\":\"" + new string('x', 1100 * 1024) + "\"}"),
            DecodeErrorCode.PayloadTooLarge, schemaRejects: false);
        Add("Truncated_json", MessageKind.Readings, valid[..(valid.Length / 2)], DecodeErrorCode.MalformedJson, schemaRejects: false);
        Add("Plain_text", MessageKind.Readings, "weight=31460kg"u8.ToArray(), DecodeErrorCode.MalformedJson, schemaRejects: false);
        Add("Trailing_garbage_after_the_object", MessageKind.Readings, [.. valid, .. " x"u8], DecodeErrorCode.MalformedJson, schemaRejects: false);
        Add("Two_objects_back_to_back", MessageKind.Readings, [.. valid, .. valid], DecodeErrorCode.MalformedJson, schemaRejects: false);
        Add("Comment_inside", MessageKind.Readings, Encoding.UTF8.GetBytes(text.Replace("\"replay\": false,", "\"replay\": false, // resent?\n", StringComparison.Ordinal)),
            DecodeErrorCode.MalformedJson, schemaRejects: false);
        Add("Trailing_comma", MessageKind.Readings, Encoding.UTF8.GetBytes(text.Replace("\"status\": \"ok\"\n    }", "\"status\": \"ok\",\n    }", StringComparison.Ordinal)),
            DecodeErrorCode.MalformedJson, schemaRejects: false);
        Add("Array_at_the_root", MessageKind.Readings, [.. "["u8, .. valid, .. "]"u8], DecodeErrorCode.WrongType, "$");
        Add("String_at_the_root", MessageKind.Readings, "\"readings\""u8.ToArray(), DecodeErrorCode.WrongType, "$");
        Add("Nested_200_levels_deep", MessageKind.Readings,
            Encoding.UTF8.GetBytes(text.TrimEnd().TrimEnd('}') + ",\"x\":" + new string('[', 200) + new string(']', 200) + "}"),
            DecodeErrorCode.TooDeep, schemaRejects: false);
        Add("Nested_17_levels_deep", MessageKind.Readings,
            Encoding.UTF8.GetBytes(text.TrimEnd().TrimEnd('}') + ",\"x\":" + new string('[', 16) + new string(']', 16) + "}"),
            DecodeErrorCode.TooDeep, schemaRejects: false);
        Add("Duplicate_seq_member", MessageKind.Readings, Encoding.UTF8.GetBytes(text.Replace("\"seq\": 1043,", "\"seq\": 1043, \"seq\": 1,", StringComparison.Ordinal)),
            DecodeErrorCode.DuplicateProperty, schemaRejects: false);
        Add("Invalid_utf8_in_a_string", MessageKind.Readings, ReplaceBytes(valid, "gw-wb-01"u8, [(byte)'g', 0xC3, 0x28, (byte)'w']),
            DecodeErrorCode.MalformedJson, schemaRejects: false);

        // Version.
        AddBatch("Missing_schema_version", n => n.Remove("schema"), DecodeErrorCode.MissingField, "$.schema");
        AddBatch("Unknown_major_version", n => n["schema"] = "2.0", DecodeErrorCode.UnknownMajorVersion, "$.schema");
        AddBatch("Version_without_minor", n => n["schema"] = "1", DecodeErrorCode.InvalidVersion, "$.schema");
        AddBatch("Version_with_leading_zero", n => n["schema"] = "01.0", DecodeErrorCode.InvalidVersion, "$.schema");
        AddBatch("Version_empty", n => n["schema"] = string.Empty, DecodeErrorCode.InvalidVersion, "$.schema");
        AddBatch("Version_as_a_number", n => n["schema"] = 1.0, DecodeErrorCode.WrongType, "$.schema");
        Add("Unknown_major_version_of_another_shape", MessageKind.Readings, "{\"schema\":\"2.1\",\"payload\":[1,2,3]}"u8.ToArray(), DecodeErrorCode.UnknownMajorVersion, "$.schema");

        // Sequence numbers.
        AddBatch("Missing_seq", n => n.Remove("seq"), DecodeErrorCode.MissingField, "$.seq");
        AddBatch("Zero_seq_in_a_reading", n => n["readings"]![0]!["seq"] = 0, DecodeErrorCode.InvalidSequence, "$.readings[0].seq");
        AddBatch("Negative_seq", n => n["seq"] = -5, DecodeErrorCode.InvalidSequence, "$.seq");
        AddBatch("Seq_as_a_string", n => n["seq"] = "1043", DecodeErrorCode.WrongType, "$.seq");
        AddBatch("Seq_with_a_fraction", n => n["seq"] = 1043.5, DecodeErrorCode.WrongType, "$.seq");
        AddBatch("Seq_beyond_2_pow_53", n => n["seq"] = 9_007_199_254_740_992L, DecodeErrorCode.InvalidSequence, "$.seq");
        Add("Seq_of_1e300", MessageKind.Readings, Raw(Batch, (n, p) => n["seq"] = p, "1e300"), DecodeErrorCode.InvalidSequence, "$.seq");
        AddBatch("Batch_seq_not_the_highest_reading_seq", n => n["seq"] = 1042, DecodeErrorCode.InvalidSequence, "$.seq", schemaRejects: false);
        AddBatch("Reading_seqs_out_of_order", n => n["readings"]![1]!["seq"] = 1040, DecodeErrorCode.InvalidSequence, "$.readings[1].seq", schemaRejects: false);
        AddBatch("Reading_seq_repeated", n => n["readings"]![1]!["seq"] = 1041, DecodeErrorCode.InvalidSequence, "$.readings[1].seq", schemaRejects: false);

        // Non-finite and out-of-range numbers.
        AddBatch("NaN_weight_as_a_string", n => n["readings"]![0]!["valueKg"] = "NaN", DecodeErrorCode.NonFiniteNumber, "$.readings[0].valueKg");
        AddBatch("Infinity_weight_as_a_string", n => n["readings"]![0]!["valueKg"] = "Infinity", DecodeErrorCode.NonFiniteNumber, "$.readings[0].valueKg");
        Add("NaN_weight_as_a_literal", MessageKind.Readings, Raw(Batch, (n, p) => n["readings"]![0]!["valueKg"] = p, "NaN"), DecodeErrorCode.NonFiniteNumber, schemaRejects: false);
        Add("Minus_infinity_weight_as_a_literal", MessageKind.Readings, Raw(Batch, (n, p) => n["readings"]![0]!["valueKg"] = p, "-Infinity"), DecodeErrorCode.NonFiniteNumber, schemaRejects: false);
        Add("Nan_as_printf_writes_it", MessageKind.Readings, Raw(Batch, (n, p) => n["readings"]![0]!["valueKg"] = p, "-nan"), DecodeErrorCode.NonFiniteNumber, schemaRejects: false);
        Add("Weight_overflowing_a_double", MessageKind.Readings, Raw(Batch, (n, p) => n["readings"]![0]!["valueKg"] = p, "1e400"), DecodeErrorCode.NonFiniteNumber, "$.readings[0].valueKg");
        AddBatch("Weight_beyond_a_million_kg", n => n["readings"]![0]!["valueKg"] = 2e6, DecodeErrorCode.OutOfRange, "$.readings[0].valueKg");
        AddBatch("Weight_as_a_string", n => n["readings"]![0]!["valueKg"] = "31460", DecodeErrorCode.WrongType, "$.readings[0].valueKg");
        AddBatch("Weight_status_ok_without_a_value", n => n["readings"]![0]!.AsObject().Remove("valueKg"), DecodeErrorCode.MissingField, "$.readings[0].valueKg");
        AddBatch("Negative_tare", n => n["readings"]![2]!["tareKg"] = -1, DecodeErrorCode.OutOfRange, "$.readings[2].tareKg");
        Add("Negative_counter_delta", MessageKind.Readings, Mutate(Line, n => n["readings"]![0]!["delta"] = -1), DecodeErrorCode.OutOfRange, "$.readings[0].delta");
        Add("Counter_raw_beyond_its_width", MessageKind.Readings, Mutate(Line, n => n["readings"]![1]!["raw"] = 65536), DecodeErrorCode.OutOfRange, "$.readings[1].raw", schemaRejects: false);
        Add("Counter_width_of_8", MessageKind.Readings, Mutate(Line, n => n["readings"]![1]!["width"] = 8), DecodeErrorCode.OutOfRange, "$.readings[1].width");
        Add("State_value_with_a_fraction", MessageKind.Readings, Mutate(Line, n => n["readings"]![2]!["value"] = 1.5), DecodeErrorCode.WrongType, "$.readings[2].value");
        Add("Analog_unit_too_long", MessageKind.Readings, Mutate(Line, n => n["readings"]![3]!["unit"] = "kilopascal gauge pressure"), DecodeErrorCode.StringTooLong, "$.readings[3].unit");

        // Timestamps.
        AddBatch("Timestamp_years_in_the_future", n => n["readings"]![0]!["ts"] = "2031-01-01T00:00:00Z", DecodeErrorCode.TimestampInFuture, "$.readings[0].ts", schemaRejects: false);
        AddBatch("Timestamp_25_hours_ahead", n => n["ts"] = "2025-06-02T01:00:01Z", DecodeErrorCode.TimestampInFuture, "$.ts", schemaRejects: false);
        AddBatch("Timestamp_with_a_china_offset", n => n["ts"] = "2025-05-20T09:12:05+08:00", DecodeErrorCode.NotUtc, "$.ts");
        AddBatch("Timestamp_without_an_offset", n => n["ts"] = "2025-05-20T01:12:05", DecodeErrorCode.NotUtc, "$.ts");
        AddBatch("Timestamp_in_words", n => n["ts"] = "yesterday", DecodeErrorCode.InvalidTimestamp, "$.ts");
        AddBatch("Timestamp_date_only", n => n["ts"] = "2025-05-20", DecodeErrorCode.InvalidTimestamp, "$.ts");
        AddBatch("Timestamp_as_unix_seconds", n => n["ts"] = 1747703525, DecodeErrorCode.WrongType, "$.ts");
        AddBatch("Timestamp_from_an_unset_clock", n => n["readings"]![0]!["ts"] = "1970-01-01T00:00:12Z", DecodeErrorCode.OutOfRange, "$.readings[0].ts", schemaRejects: false);

        // Ids and strings.
        AddBatch("Gateway_id_with_a_slash", n => n["gatewayId"] = "gw/01", DecodeErrorCode.InvalidId, "$.gatewayId");
        AddBatch("Gateway_id_with_a_wildcard", n => n["gatewayId"] = "gw+01", DecodeErrorCode.InvalidId, "$.gatewayId");
        AddBatch("Gateway_id_of_65_characters", n => n["gatewayId"] = new string('g', 65), DecodeErrorCode.InvalidId, "$.gatewayId");
        AddBatch("Gateway_id_empty", n => n["gatewayId"] = string.Empty, DecodeErrorCode.InvalidId, "$.gatewayId");
        AddBatch("Gateway_id_null", n => n["gatewayId"] = null, DecodeErrorCode.WrongType, "$.gatewayId");
        AddBatch("Device_id_with_spaces", n => n["readings"]![0]!["device"] = "truck scale", DecodeErrorCode.InvalidId, "$.readings[0].device");
        AddBatch("Clock_synced_as_a_string", n => n["clockSynced"] = "true", DecodeErrorCode.WrongType, "$.clockSynced");
        AddBatch("Replay_missing", n => n.Remove("replay"), DecodeErrorCode.MissingField, "$.replay");

        // Arrays and discriminators.
        AddBatch("No_readings", n => n["readings"] = new JsonArray(), DecodeErrorCode.TooManyItems, "$.readings");
        AddBatch("Readings_not_an_array", n => n["readings"] = new JsonObject(), DecodeErrorCode.WrongType, "$.readings");
        AddBatch("Reading_that_is_a_number", n => n["readings"]![0] = 42, DecodeErrorCode.WrongType, "$.readings[0]");
        AddBatch("Huge_array_of_5001_readings", n => n["readings"] = ManyReadings(5001), DecodeErrorCode.TooManyItems, "$.readings");
        AddBatch("Wrong_discriminator", n => n["readings"]![1]!["kind"] = "temperature", DecodeErrorCode.UnknownDiscriminator, "$.readings[1].kind");
        AddBatch("Missing_discriminator", n => n["readings"]![1]!.AsObject().Remove("kind"), DecodeErrorCode.MissingField, "$.readings[1].kind");
        AddBatch("Unknown_weight_mode", n => n["readings"]![0]!["mode"] = "tare", DecodeErrorCode.InvalidEnumValue, "$.readings[0].mode");
        AddBatch("Enum_value_in_the_wrong_case", n => n["readings"]![0]!["status"] = "OK", DecodeErrorCode.InvalidEnumValue, "$.readings[0].status");

        // The other messages.
        Add("Scan_code_too_long", MessageKind.Scans, Mutate("scan-event.barcode.json", n => n["code"] = new string('9', 600)), DecodeErrorCode.StringTooLong, "$.code");
        Add("Scan_technology_unknown", MessageKind.Scans, Mutate("scan-event.barcode.json", n => n["tech"] = "nfc"), DecodeErrorCode.InvalidEnumValue, "$.tech");
        Add("Birth_listing_a_device_twice", MessageKind.Birth, Mutate("gateway-birth.json", n => n["devices"]![1]!["device"] = "bp1-plc"), DecodeErrorCode.OutOfRange, "$.devices[1].device", schemaRejects: false);
        Add("Birth_session_zero", MessageKind.Birth, Mutate("gateway-birth.json", n => n["session"] = 0), DecodeErrorCode.OutOfRange, "$.session");
        // Abandonment declarations in a birth (1.1).
        const string Abandoned = "gateway-birth.abandoned.json";
        void AddAbandoned(string name, Action<JsonObject> change, DecodeErrorCode expected, string path, bool schemaRejects = true) =>
            Add(name, MessageKind.Birth, Mutate(Abandoned, change), expected, path, schemaRejects);
        AddAbandoned("Abandonment_numbered_above_the_birth_seq", n => n["abandoned"]![1]!["seq"] = 153761, DecodeErrorCode.InvalidSequence, "$.abandoned[1].seq", schemaRejects: false);
        AddAbandoned("Abandonments_out_of_order", n => n["abandoned"] = new JsonArray(n["abandoned"]![1]!.DeepClone(), n["abandoned"]![0]!.DeepClone()), DecodeErrorCode.InvalidSequence, "$.abandoned[1].seq", schemaRejects: false);
        AddAbandoned("Abandonment_listed_twice", n => n["abandoned"]![1]!["seq"] = 153750, DecodeErrorCode.InvalidSequence, "$.abandoned[1].seq", schemaRejects: false);
        AddAbandoned("Abandonment_range_reaching_its_own_seq", n => n["abandoned"]![0]!["ranges"]![0]!["to"] = 153750, DecodeErrorCode.InvalidSequence, "$.abandoned[0].ranges[0].to", schemaRejects: false);
        AddAbandoned("Abandonment_range_ending_before_it_starts", n => n["abandoned"]![0]!["ranges"]![0]!["to"] = 88189, DecodeErrorCode.InvalidSequence, "$.abandoned[0].ranges[0].to", schemaRejects: false);
        AddAbandoned("Abandonment_ranges_overlapping", n => n["abandoned"]![0]!["ranges"]!.AsArray().Add(new JsonObject { ["from"] = 88201, ["to"] = 88205 }), DecodeErrorCode.InvalidSequence, "$.abandoned[0].ranges[1].from", schemaRejects: false);
        AddAbandoned("Abandonment_without_ranges", n => n["abandoned"]![0]!["ranges"] = new JsonArray(), DecodeErrorCode.TooManyItems, "$.abandoned[0].ranges");
        AddAbandoned("Abandonment_with_1001_ranges", n => n["abandoned"]![0]!["ranges"] = ManyRanges(1001, 0), DecodeErrorCode.TooManyItems, "$.abandoned[0].ranges");
        AddAbandoned("Abandonment_reason_with_a_space", n => n["abandoned"]![0]!["reason"] = "outbox corrupt", DecodeErrorCode.InvalidId, "$.abandoned[0].reason");
        AddAbandoned("Abandonment_without_a_reason", n => n["abandoned"]![0]!.AsObject().Remove("reason"), DecodeErrorCode.MissingField, "$.abandoned[0].reason");
        AddAbandoned("Abandonment_seq_zero", n => n["abandoned"]![0]!["seq"] = 0, DecodeErrorCode.InvalidSequence, "$.abandoned[0].seq");
        AddAbandoned("Abandonment_range_from_zero", n => n["abandoned"]![0]!["ranges"]![0]!["from"] = 0, DecodeErrorCode.InvalidSequence, "$.abandoned[0].ranges[0].from");
        AddAbandoned("Abandonment_with_an_empty_note", n => n["abandoned"]![0]!["note"] = string.Empty, DecodeErrorCode.StringTooLong, "$.abandoned[0].note");
        AddAbandoned("Abandonment_timestamp_with_an_offset", n => n["abandoned"]![0]!["ts"] = "2025-05-21T14:39:55.2+08:00", DecodeErrorCode.NotUtc, "$.abandoned[0].ts");
        AddAbandoned("Abandoned_is_an_object", n => n["abandoned"] = new JsonObject(), DecodeErrorCode.WrongType, "$.abandoned");
        AddAbandoned("Seventeen_abandonments", n => n["abandoned"] = ManyAbandonments(17), DecodeErrorCode.TooManyItems, "$.abandoned");
        Add("Health_negative_error_count", MessageKind.Health, Mutate("device-health.json", n => n["errorCount"] = -1), DecodeErrorCode.OutOfRange, "$.errorCount");
        Add("Ack_range_below_the_watermark", MessageKind.Ack, Mutate("acknowledgement.json", n => n["ranges"]![0]!["from"] = 88150), DecodeErrorCode.InvalidSequence, "$.ranges[0].from", schemaRejects: false);
        Add("Ack_range_ending_before_it_starts", MessageKind.Ack, Mutate("acknowledgement.json", n => n["ranges"]![0]!["to"] = 88202), DecodeErrorCode.InvalidSequence, "$.ranges[0].to", schemaRejects: false);
        Add("Ack_ranges_overlapping", MessageKind.Ack, Mutate("acknowledgement.json", n => n["ranges"]![1]!["from"] = 88206), DecodeErrorCode.InvalidSequence, "$.ranges[1].from", schemaRejects: false);
        Add("Ack_with_1001_ranges", MessageKind.Ack, Mutate("acknowledgement.json", n => n["ranges"] = ManyRanges(1001, 88200)), DecodeErrorCode.TooManyItems, "$.ranges");
        Add("Command_pulse_without_duration", MessageKind.Command, Mutate("command.pulse.json", n => n.Remove("durationS")), DecodeErrorCode.MissingField, "$.durationS");
        Add("Command_on_with_a_duration", MessageKind.Command, Mutate("command.on.json", n => n["durationS"] = 2), DecodeErrorCode.OutOfRange, "$.durationS");
        Add("Command_zero_second_pulse", MessageKind.Command, Mutate("command.pulse.json", n => n["durationS"] = 0), DecodeErrorCode.OutOfRange, "$.durationS");
        Add("Command_expiring_before_issue", MessageKind.Command, Mutate("command.pulse.json", n => n["expiresAt"] = "2025-05-20T01:13:01Z"), DecodeErrorCode.OutOfRange, "$.expiresAt", schemaRejects: false);
        Add("Command_unknown_action", MessageKind.Command, Mutate("command.on.json", n => n["action"] = "reboot"), DecodeErrorCode.InvalidEnumValue, "$.action");
        Add("Alert_level_purple", MessageKind.Alert, Mutate("alert.raised.json", n => n["level"] = "purple"), DecodeErrorCode.InvalidEnumValue, "$.level");
        Add("Alert_id_that_is_a_kind_name", MessageKind.Alert, Mutate("alert.raised.json", n => n["alertId"] = "readings"), DecodeErrorCode.InvalidId, "$.alertId");
        Add("Alert_with_an_empty_message", MessageKind.Alert, Mutate("alert.raised.json", n => n["message"] = string.Empty), DecodeErrorCode.StringTooLong, "$.message");
        Add("Alert_value_minus_infinity_as_a_string", MessageKind.Alert, Mutate("alert.raised.json", n => n["value"] = "-Infinity"), DecodeErrorCode.NonFiniteNumber, "$.value");
        Add("Alert_published_before_it_was_raised", MessageKind.Alert, Mutate("alert.raised.json", n => n["ts"] = "2025-05-20T02:09:59Z"), DecodeErrorCode.OutOfRange, "$.ts", schemaRejects: false);
        return cases;
    }

    public static byte[] Mutate(string example, Action<JsonObject> change)
    {
        var node = ContractFiles.ExampleNode(example);
        change(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    /// <summary>Places raw JSON text (e.g. NaN, which no JSON writer emits) where <paramref name="place"/> puts a value.</summary>
    public static byte[] Raw(string example, Action<JsonObject, JsonNode> place, string raw)
    {
        var node = ContractFiles.ExampleNode(example);
        place(node, JsonValue.Create(Placeholder));
        return Encoding.UTF8.GetBytes(node.ToJsonString().Replace($"\"{Placeholder}\"", raw, StringComparison.Ordinal));
    }

    private static JsonArray ManyReadings(int count)
    {
        var array = new JsonArray();
        for (var i = 1; i <= count; i++)
        {
            array.Add(new JsonObject
            {
                ["kind"] = "state",
                ["seq"] = i,
                ["device"] = "plc",
                ["ts"] = "2025-05-20T01:00:00Z",
                ["value"] = 1,
            });
        }

        return array;
    }

    private static JsonArray ManyAbandonments(int count)
    {
        var array = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            array.Add(new JsonObject
            {
                ["seq"] = 153000 + (2 * i) + 1,
                ["reason"] = "outbox-corrupt",
                ["ranges"] = new JsonArray(new JsonObject { ["from"] = 153000 + (2 * i), ["to"] = 153000 + (2 * i) }),
                ["ts"] = "2025-05-21T06:39:55Z",
            });
        }

        return array;
    }

    private static JsonArray ManyRanges(int count, long watermark)
    {
        var array = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var from = watermark + 2 + (3 * i);
            array.Add(new JsonObject { ["from"] = from, ["to"] = from + 1 });
        }

        return array;
    }

    private static byte[] ReplaceBytes(byte[] source, ReadOnlySpan<byte> find, byte[] replacement)
    {
        var at = source.AsSpan().IndexOf(find);
        return [.. source.AsSpan(0, at), .. replacement, .. source.AsSpan(at + find.Length)];
    }
}
