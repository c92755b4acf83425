using System.Text.Json.Serialization;

namespace Edge.Contracts.RegisterMaps;

/// <summary>The Modbus data table an entry lives in; each has its own 0–65535 address space.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RegisterTable>))]
public enum RegisterTable
{
    /// <summary>Coils: read/write bits, function codes 1/5/15 (JSON <c>coil</c>).</summary>
    [JsonStringEnumMemberName("coil")]
    Coil,

    /// <summary>Discrete inputs: read-only bits, function code 2 (JSON <c>discrete</c>).</summary>
    [JsonStringEnumMemberName("discrete")]
    Discrete,

    /// <summary>Holding registers: read/write 16-bit words, function codes 3/6/16 (JSON <c>holding</c>).</summary>
    [JsonStringEnumMemberName("holding")]
    Holding,

    /// <summary>Input registers: read-only 16-bit words, function code 4 (JSON <c>input</c>).</summary>
    [JsonStringEnumMemberName("input")]
    Input,
}

/// <summary>How the bits of an entry are interpreted.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RegisterDataType>))]
public enum RegisterDataType
{
    /// <summary>One bit of a coil or discrete input (JSON <c>bool</c>).</summary>
    [JsonStringEnumMemberName("bool")]
    Bool,

    /// <summary>Unsigned 16-bit, one register (JSON <c>u16</c>).</summary>
    [JsonStringEnumMemberName("u16")]
    U16,

    /// <summary>Signed 16-bit two's complement, one register (JSON <c>i16</c>).</summary>
    [JsonStringEnumMemberName("i16")]
    I16,

    /// <summary>Unsigned 32-bit, two registers (JSON <c>u32</c>).</summary>
    [JsonStringEnumMemberName("u32")]
    U32,

    /// <summary>Signed 32-bit two's complement, two registers (JSON <c>i32</c>).</summary>
    [JsonStringEnumMemberName("i32")]
    I32,

    /// <summary>IEEE 754 single precision, two registers (JSON <c>f32</c>).</summary>
    [JsonStringEnumMemberName("f32")]
    F32,
}

/// <summary>What an entry's value means to the gateway, which decides the reading kind it produces.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RegisterMeaning>))]
public enum RegisterMeaning
{
    /// <summary>A counter that only increases and wraps: produces <see cref="CounterReading"/> (JSON <c>counter</c>).</summary>
    [JsonStringEnumMemberName("counter")]
    Counter,

    /// <summary>A discrete state: produces <see cref="StateReading"/> (JSON <c>state</c>).</summary>
    [JsonStringEnumMemberName("state")]
    State,

    /// <summary>A measured quantity: produces <see cref="AnalogReading"/> (JSON <c>analog</c>).</summary>
    [JsonStringEnumMemberName("analog")]
    Analog,
}

/// <summary>The order of the two bytes inside one 16-bit register.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ByteOrder>))]
public enum ByteOrder
{
    /// <summary>High byte first, as the Modbus specification says (JSON <c>big</c>).</summary>
    [JsonStringEnumMemberName("big")]
    Big,

    /// <summary>Low byte first, as some devices swap (JSON <c>little</c>).</summary>
    [JsonStringEnumMemberName("little")]
    Little,
}

/// <summary>The order of the two registers of a 32-bit value.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WordOrder>))]
public enum WordOrder
{
    /// <summary>High word at the lower address: ABCD (JSON <c>big</c>).</summary>
    [JsonStringEnumMemberName("big")]
    Big,

    /// <summary>Low word at the lower address: CDAB (JSON <c>little</c>).</summary>
    [JsonStringEnumMemberName("little")]
    Little,
}
