using System.Text.Json.Serialization;

namespace Edge.Contracts;

/// <summary>Whether a weight is gross or net (JSON <c>gross</c> / <c>net</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WeightMode>))]
public enum WeightMode
{
    /// <summary>Gross weight (毛重): everything on the platform.</summary>
    [JsonStringEnumMemberName("gross")]
    Gross,

    /// <summary>Net weight (净重): gross minus the indicator's tare.</summary>
    [JsonStringEnumMemberName("net")]
    Net,
}

/// <summary>The status a scale indicator reports with a weight.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IndicatorStatus>))]
public enum IndicatorStatus
{
    /// <summary>Normal weighing (JSON <c>ok</c>).</summary>
    [JsonStringEnumMemberName("ok")]
    Ok,

    /// <summary>Load above capacity (JSON <c>overload</c>).</summary>
    [JsonStringEnumMemberName("overload")]
    Overload,

    /// <summary>Load below the negative limit (JSON <c>underload</c>).</summary>
    [JsonStringEnumMemberName("underload")]
    Underload,

    /// <summary>Zero could not be set or was lost (JSON <c>zero-error</c>).</summary>
    [JsonStringEnumMemberName("zero-error")]
    ZeroError,

    /// <summary>Any other fault the indicator reports (JSON <c>fault</c>).</summary>
    [JsonStringEnumMemberName("fault")]
    Fault,
}

/// <summary>The technology of a scan (JSON <c>barcode</c> / <c>rfid</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScanTech>))]
public enum ScanTech
{
    /// <summary>An optical 1D or 2D code.</summary>
    [JsonStringEnumMemberName("barcode")]
    Barcode,

    /// <summary>An RFID tag; the code is its EPC in hexadecimal.</summary>
    [JsonStringEnumMemberName("rfid")]
    Rfid,
}

/// <summary>A device's health (JSON <c>ok</c> / <c>degraded</c> / <c>down</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeviceState>))]
public enum DeviceState
{
    /// <summary>Reads succeed.</summary>
    [JsonStringEnumMemberName("ok")]
    Ok,

    /// <summary>Some reads fail or are slow, but values still arrive.</summary>
    [JsonStringEnumMemberName("degraded")]
    Degraded,

    /// <summary>No values arrive.</summary>
    [JsonStringEnumMemberName("down")]
    Down,
}

/// <summary>The action of a <see cref="Command"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CommandAction>))]
public enum CommandAction
{
    /// <summary>Set a digital output such as a stack light or a gate relay (JSON <c>set-output</c>).</summary>
    [JsonStringEnumMemberName("set-output")]
    SetOutput,
}

/// <summary>The value of a <see cref="CommandAction.SetOutput"/> command.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OutputValue>))]
public enum OutputValue
{
    /// <summary>Switch the output on (JSON <c>on</c>).</summary>
    [JsonStringEnumMemberName("on")]
    On,

    /// <summary>Switch the output off (JSON <c>off</c>).</summary>
    [JsonStringEnumMemberName("off")]
    Off,

    /// <summary>Switch the output on for <see cref="Command.DurationS"/> seconds, then off (JSON <c>pulse</c>).</summary>
    [JsonStringEnumMemberName("pulse")]
    Pulse,
}

/// <summary>An early-warning level, after the Chinese four-colour practice (蓝/黄/橙/红), lowest first.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertLevel>))]
public enum AlertLevel
{
    /// <summary>蓝 — watch (JSON <c>blue</c>).</summary>
    [JsonStringEnumMemberName("blue")]
    Blue,

    /// <summary>黄 — attention (JSON <c>yellow</c>).</summary>
    [JsonStringEnumMemberName("yellow")]
    Yellow,

    /// <summary>橙 — serious (JSON <c>orange</c>).</summary>
    [JsonStringEnumMemberName("orange")]
    Orange,

    /// <summary>红 — critical (JSON <c>red</c>).</summary>
    [JsonStringEnumMemberName("red")]
    Red,
}

/// <summary>The life-cycle state of an <see cref="Alert"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertState>))]
public enum AlertState
{
    /// <summary>The indicator crossed its threshold (JSON <c>raised</c>).</summary>
    [JsonStringEnumMemberName("raised")]
    Raised,

    /// <summary>A person took charge of it; the condition still holds (JSON <c>acknowledged</c>).</summary>
    [JsonStringEnumMemberName("acknowledged")]
    Acknowledged,

    /// <summary>The condition no longer holds (JSON <c>cleared</c>).</summary>
    [JsonStringEnumMemberName("cleared")]
    Cleared,
}
