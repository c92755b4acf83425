using Edge.Contracts.RegisterMaps;

namespace Edge.Devices.Tests.Plc;

internal static class TestMaps
{
    /// <summary>A press line: a u32 counter (0-1), a state (2), a u16 counter (3), two analogs (4, 6-7 f32 CDAB), a discrete input.</summary>
    public const string PressJson = """
        {
          "schema": "1.0",
          "program": "test-press",
          "version": "1",
          "defaults": { "byteOrder": "big", "wordOrder": "big" },
          "entries": [
            { "name": "bales", "table": "holding", "address": 0, "dataType": "u32", "meaning": "counter", "counterWidth": 32 },
            { "name": "state", "table": "holding", "address": 2, "dataType": "u16", "meaning": "state", "states": { "0": "stop", "1": "run" } },
            { "name": "rejects", "table": "holding", "address": 3, "dataType": "u16", "meaning": "counter", "counterWidth": 16 },
            { "name": "pressure", "table": "holding", "address": 4, "dataType": "u16", "scale": 10, "unit": "kPa", "meaning": "analog" },
            { "name": "weight", "table": "holding", "address": 6, "dataType": "f32", "wordOrder": "little", "unit": "kg", "meaning": "analog" },
            { "name": "gate", "table": "discrete", "address": 0, "dataType": "bool", "meaning": "state", "states": { "0": "open", "1": "closed" } }
          ]
        }
        """;

    public static RegisterMap Press => RegisterMap.Parse(PressJson);
}
