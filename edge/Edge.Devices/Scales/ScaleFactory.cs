using Edge.Devices.Plc;
using Microsoft.Extensions.Logging;

namespace Edge.Devices.Scales;

/// <summary>Builds scale drivers from <see cref="ScaleOptions"/>.</summary>
public static class ScaleFactory
{
    /// <summary>The driver <see cref="ScaleOptions.Protocol"/> asks for.</summary>
    /// <param name="options">The scale options; validated.</param>
    /// <param name="open">Opens the serial port or TCP connection; required for stream protocols.</param>
    /// <param name="reader">The Modbus link; required for <see cref="ScaleProtocol.Modbus"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    /// <returns>The driver; run it with <see cref="IScaleDriver.RunAsync"/>.</returns>
    /// <exception cref="DeviceConfigurationException">The options are invalid or the needed link is missing.</exception>
    public static IScaleDriver Create(ScaleOptions options, ByteSourceFactory? open, IRegisterReader? reader, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Protocol == ScaleProtocol.Modbus)
        {
            return reader is null
                ? throw new DeviceConfigurationException($"Scale '{options.DeviceId}': Protocol Modbus needs a Modbus link")
                : CreateModbusScale(options, reader, timeProvider, logger);
        }

        return open is null
            ? throw new DeviceConfigurationException($"Scale '{options.DeviceId}': Protocol {options.Protocol} needs a serial port or TCP connection")
            : CreateStreamScale(options, open, timeProvider, logger);
    }

    /// <summary>The parser for a stream protocol.</summary>
    /// <param name="options">The scale options.</param>
    /// <returns>The parser.</returns>
    /// <exception cref="DeviceConfigurationException">The protocol is <see cref="ScaleProtocol.Modbus"/> or unknown, or the regex format is invalid.</exception>
    public static IIndicatorParser CreateParser(ScaleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Protocol switch
        {
            ScaleProtocol.MettlerToledoContinuous => new MettlerToledoContinuousParser(options.Checksum),
            ScaleProtocol.MtSics => new MtSicsParser(options.ReportedMode),
            ScaleProtocol.Xk3190A9 => new Xk3190A9Parser(options.Unit, options.ReportedMode),
            ScaleProtocol.Xk3190A12 => new Xk3190A12Parser(options.Checksum),
            ScaleProtocol.Regex => new RegexIndicatorParser(options.Regex),
            _ => throw new DeviceConfigurationException($"Scale:{nameof(ScaleOptions.Protocol)}: {options.Protocol} is not a stream protocol; use {nameof(CreateModbusScale)}"),
        };
    }

    /// <summary>A driver for a serial or TCP indicator.</summary>
    /// <param name="options">The scale options; validated.</param>
    /// <param name="open">Opens the serial port (Edge.Serial) or TCP connection.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    /// <returns>The driver; run it with <see cref="StreamScale.RunAsync"/>.</returns>
    public static StreamScale CreateStreamScale(ScaleOptions options, ByteSourceFactory open, TimeProvider timeProvider, ILogger logger) =>
        new(options, CreateParser(options), open, timeProvider, logger);

    /// <summary>A driver for a weight in Modbus registers.</summary>
    /// <param name="options">The scale options with <see cref="ScaleOptions.Modbus"/>; validated.</param>
    /// <param name="reader">The Modbus link.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    /// <returns>The driver; run it with <see cref="ModbusScale.RunAsync"/>.</returns>
    public static ModbusScale CreateModbusScale(ScaleOptions options, IRegisterReader reader, TimeProvider timeProvider, ILogger logger) =>
        new(options, reader, timeProvider, logger);
}
