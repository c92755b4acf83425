using System.Text.Json.Nodes;
using Edge.Contracts.RegisterMaps;
using Xunit;

namespace Edge.Contracts.Tests;

public sealed class RegisterMapTests
{
    private static string BalingPressPath => Path.Combine(ContractFiles.RegisterMapsDir, "baling-press.json");

    private static readonly RegisterMap s_orders = RegisterMap.Parse("""
        {
          "schema": "1.0", "program": "orders", "version": "1",
          "defaults": { "byteOrder": "big", "wordOrder": "big" },
          "entries": [
            { "name": "abcd", "table": "holding", "address": 0, "dataType": "u32", "meaning": "counter", "counterWidth": 32 },
            { "name": "cdab", "table": "holding", "address": 2, "dataType": "u32", "wordOrder": "little", "meaning": "counter", "counterWidth": 32 },
            { "name": "badc", "table": "holding", "address": 4, "dataType": "u32", "byteOrder": "little", "meaning": "counter", "counterWidth": 32 },
            { "name": "dcba", "table": "holding", "address": 6, "dataType": "u32", "byteOrder": "little", "wordOrder": "little", "meaning": "counter", "counterWidth": 32 },
            { "name": "temp", "table": "input", "address": 0, "dataType": "i16", "scale": 0.1, "offset": -50, "unit": "°C", "meaning": "analog" },
            { "name": "flow", "table": "input", "address": 1, "dataType": "f32", "wordOrder": "little", "unit": "m3/h", "meaning": "analog" },
            { "name": "torque", "table": "input", "address": 3, "dataType": "i32", "unit": "N.m", "meaning": "analog" }
          ]
        }
        """);

    [Fact]
    public void Baling_press_map_loads_with_every_entry()
    {
        var map = RegisterMap.Load(BalingPressPath);

        Assert.Equal("baling-press-bp1", map.Program);
        Assert.Equal(
            ["bale_count", "run_state", "reject_count", "hydraulic_pressure", "motor_current", "bale_weight", "oil_temperature", "safety_gate", "stack_light_red"],
            map.Entries.Select(e => e.Name));
        var bales = map.Find("bale_count")!;
        Assert.Equal((RegisterTable.Holding, 0, RegisterDataType.U32, RegisterMeaning.Counter, 32, 2),
            (bales.Table, bales.Address, bales.DataType, bales.Meaning, bales.CounterWidth!.Value, bales.RegisterCount));
        Assert.Equal("run", map.Find("run_state")!.LabelOf(1));
        Assert.Null(map.Find("run_state")!.LabelOf(7));
        Assert.Equal("kPa", map.Find("hydraulic_pressure")!.Unit);
        Assert.Null(map.Find("no_such_entry"));
    }

    [Fact]
    public void Baling_press_map_round_trips_through_the_json_context()
    {
        var map = RegisterMap.Load(BalingPressPath);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllBytes(BalingPressPath)), JsonNode.Parse(map.ToJson())), map.ToJson());
    }

    [Fact]
    public void Baling_press_values_decode_from_registers_in_si_units()
    {
        var map = RegisterMap.Load(BalingPressPath);

        Assert.Equal(70011, map.ReadValue(map.Find("bale_count")!, [0x0001, 0x117B]));
        Assert.Equal(17350, map.ReadValue(map.Find("hydraulic_pressure")!, [1735]));
        Assert.Equal(42.7, map.ReadValue(map.Find("motor_current")!, [427]), 9);
        Assert.Equal(-3.5, map.ReadValue(map.Find("oil_temperature")!, [unchecked((ushort)-35)]), 9);
        Assert.Equal(1, map.ReadValue(map.Find("safety_gate")!, [1]));
    }

    [Theory]
    [InlineData("abcd", new ushort[] { 0x1234, 0x5678 })]
    [InlineData("cdab", new ushort[] { 0x5678, 0x1234 })]
    [InlineData("badc", new ushort[] { 0x3412, 0x7856 })]
    [InlineData("dcba", new ushort[] { 0x7856, 0x3412 })]
    public void Byte_and_word_orders_give_the_same_32_bit_value(string entry, ushort[] registers)
    {
        var e = s_orders.Find(entry)!;

        Assert.Equal(0x12345678, s_orders.ReadRaw(e, registers));
        var written = new ushort[2];
        s_orders.WriteRaw(e, 0x12345678, written);
        Assert.Equal(registers, written);
    }

    [Theory]
    [InlineData("temp", -123.0)]
    [InlineData("flow", 12.625)]
    [InlineData("torque", -70000.0)]
    public void Written_raw_values_read_back_unchanged(string entry, double raw)
    {
        var e = s_orders.Find(entry)!;
        var registers = new ushort[2];

        s_orders.WriteRaw(e, raw, registers);

        Assert.Equal(raw, s_orders.ReadRaw(e, registers));
    }

    [Fact]
    public void Scale_and_offset_turn_raw_into_engineering_units()
    {
        var temp = s_orders.Find("temp")!;

        Assert.Equal(-40.0, s_orders.ReadValue(temp, [100]), 9);
    }

    [Fact]
    public void Writing_a_value_that_does_not_fit_the_type_is_refused()
    {
        var abcd = s_orders.Find("abcd")!;

        Assert.Throws<ArgumentOutOfRangeException>(() => s_orders.WriteRaw(abcd, -1, new ushort[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => s_orders.WriteRaw(abcd, 1.5, new ushort[2]));
        Assert.Throws<ArgumentException>(() => s_orders.ReadRaw(abcd, [1]));
    }

    public static TheoryData<string, string, string> BadMaps => new()
    {
        { "unknown data type", Entry("""{ "name": "x", "table": "holding", "address": 0, "dataType": "u64", "meaning": "analog", "unit": "A" }"""), "entries[0].dataType: 'u64' is not one of bool,u16,i16,u32,i32,f32" },
        { "unknown table", Entry("""{ "name": "x", "table": "memory", "address": 0, "dataType": "u16", "meaning": "analog", "unit": "A" }"""), "entries[0].table: 'memory' is not one of coil,discrete,holding,input" },
        { "coil holding a number", Entry("""{ "name": "x", "table": "coil", "address": 0, "dataType": "u16", "meaning": "state" }"""), "entries[0].dataType: 'u16' is not allowed in table 'coil'" },
        { "discrete input as a counter", Entry("""{ "name": "x", "table": "discrete", "address": 0, "dataType": "bool", "meaning": "counter", "counterWidth": 16 }"""), "entries[0].meaning: a coil or discrete input is a state" },
        { "register as bool", Entry("""{ "name": "x", "table": "holding", "address": 0, "dataType": "bool", "meaning": "state" }"""), "entries[0].dataType: 'bool' is for coils and discrete inputs" },
        { "address beyond 65535", Entry("""{ "name": "x", "table": "holding", "address": 65536, "dataType": "u16", "meaning": "state" }"""), "entries[0].address: 65536 is outside 0-65535" },
        { "negative address", Entry("""{ "name": "x", "table": "holding", "address": -1, "dataType": "u16", "meaning": "state" }"""), "entries[0].address: -1 is outside 0-65535" },
        { "32-bit at the last address", Entry("""{ "name": "x", "table": "input", "address": 65535, "dataType": "f32", "meaning": "analog", "unit": "A" }"""), "entries[0].address: a f32 takes two registers; 65535 has no successor" },
        { "overlapping registers", Entry(
            """{ "name": "a", "table": "holding", "address": 0, "dataType": "u32", "meaning": "counter", "counterWidth": 32 }""",
            """{ "name": "b", "table": "holding", "address": 1, "dataType": "u16", "meaning": "state" }"""), "entries[1].address: holding 1 overlaps entries[0] 'a' (holding 0-1)" },
        { "duplicate names", Entry(
            """{ "name": "a", "table": "holding", "address": 0, "dataType": "u16", "meaning": "state" }""",
            """{ "name": "a", "table": "holding", "address": 1, "dataType": "u16", "meaning": "state" }"""), "entries[1].name: 'a' is already used by entries[0]" },
        { "counter without width", Entry("""{ "name": "x", "table": "holding", "address": 0, "dataType": "u16", "meaning": "counter" }"""), "entries[0].counterWidth: is required for a counter" },
        { "counter width not matching", Entry("""{ "name": "x", "table": "holding", "address": 0, "dataType": "u16", "meaning": "counter", "counterWidth": 32 }"""), "entries[0].counterWidth: 32 does not match u16" },
        { "signed counter", Entry("""{ "name": "x", "table": "holding", "address": 0, "dataType": "i16", "meaning": "counter", "counterWidth": 16 }"""), "entries[0].dataType: a counter is u16 or u32, not i16" },
        { "scaled counter", Entry("""{ "name": "x", "table": "holding", "address": 0, "dataType": "u16", "meaning": "counter", "counterWidth": 16, "scale": 10 }"""), "entries[0].scale: a counter is reported raw" },
        { "analog without unit", Entry("""{ "name": "x", "table": "holding", "address": 0, "dataType": "u16", "meaning": "analog" }"""), "entries[0].unit: is required for an analog value" },
        { "word order on 16 bits", Entry("""{ "name": "x", "table": "holding", "address": 0, "dataType": "u16", "wordOrder": "little", "meaning": "state" }"""), "entries[0].wordOrder: applies to 32-bit types only" },
        { "labels on an analog", Entry("""{ "name": "x", "table": "holding", "address": 0, "dataType": "u16", "meaning": "analog", "unit": "A", "states": { "0": "off" } }"""), "entries[0].states: applies to states only" },
        { "state label key not a number", Entry("""{ "name": "x", "table": "holding", "address": 0, "dataType": "u16", "meaning": "state", "states": { "run": "1" } }"""), "entries[0].states.run: 'run' is not an integer state value" },
        { "zero scale", Entry("""{ "name": "x", "table": "holding", "address": 0, "dataType": "u16", "meaning": "analog", "unit": "A", "scale": 0 }"""), "entries[0].scale: must not be 0" },
        { "misspelt member", Entry("""{ "name": "x", "table": "holding", "address": 0, "dataTyp": "u16", "meaning": "state" }"""), "entries[0].dataTyp: unknown member" },
        { "name with a slash", Entry("""{ "name": "a/b", "table": "holding", "address": 0, "dataType": "u16", "meaning": "state" }"""), "entries[0].name: 'a/b' is not an id" },
        { "no entries", """{ "schema": "1.0", "program": "p", "version": "1", "defaults": { "byteOrder": "big", "wordOrder": "big" }, "entries": [] }""", "entries: has 0 entries" },
        { "missing defaults", """{ "schema": "1.0", "program": "p", "version": "1", "entries": [ { "name": "x", "table": "coil", "address": 0, "dataType": "bool", "meaning": "state" } ] }""", "defaults: is required" },
        { "unknown format major", """{ "schema": "2.0", "program": "p", "version": "1", "defaults": { "byteOrder": "big", "wordOrder": "big" }, "entries": [ { "name": "x", "table": "coil", "address": 0, "dataType": "bool", "meaning": "state" } ] }""", "schema: '2.0' is not \"1.minor\"" },
        { "not json", "program = baling", "(json): " },
        { "an array", "[]", "(root): must be a JSON object" },
    };

    [Theory]
    [MemberData(nameof(BadMaps))]
    public void Bad_register_map_is_rejected_naming_the_entry_and_field(string why, string json, string expected)
    {
        var e = Assert.Throws<RegisterMapException>(() => RegisterMap.Parse(json));

        Assert.True(e.Errors.Any(error => error.ToString().StartsWith(expected, StringComparison.Ordinal)),
            $"{why}: expected '{expected}', got:{Environment.NewLine}{string.Join(Environment.NewLine, e.Errors)}");
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_problems_of_a_map_are_reported_at_once()
    {
        var json = Entry(
            """{ "name": "a", "table": "holding", "address": 0, "dataType": "u64", "meaning": "state" }""",
            """{ "name": "b", "table": "coil", "address": 70000, "dataType": "bool", "meaning": "state" }""",
            """{ "name": "c", "table": "input", "address": 0, "dataType": "u16", "meaning": "analog" }""");

        Assert.False(RegisterMap.TryParse(System.Text.Encoding.UTF8.GetBytes(json), out var map, out var errors));

        Assert.Null(map);
        Assert.Equal(["entries[0].dataType", "entries[1].address", "entries[2].unit"], errors.Select(e => e.Path));
    }

    [Fact]
    public void Loading_a_file_names_the_file_in_the_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bad-map-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Entry("""{ "name": "x", "table": "holding", "address": 0, "dataType": "u64", "meaning": "state" }"""));
        try
        {
            var e = Assert.Throws<RegisterMapException>(() => RegisterMap.Load(path));

            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Loading_a_missing_file_is_an_io_error()
    {
        Assert.Throws<FileNotFoundException>(() => RegisterMap.Load(Path.Combine(Path.GetTempPath(), $"no-such-map-{Guid.NewGuid():N}.json")));
    }

    private static string Entry(params string[] entries) =>
        $$"""{ "schema": "1.0", "program": "test", "version": "1", "defaults": { "byteOrder": "big", "wordOrder": "big" }, "entries": [ {{string.Join(", ", entries)}} ] }""";
}
