using Edge.Gateway.Options;
using Edge.Gateway.Pipeline;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Devices;

/// <summary>Builds the runtime of each configured device (options were validated at start).</summary>
internal static class DeviceFactory
{
    public static IGatewayDevice Create(DeviceOptions d, ReadingSink sink, CounterPositions positions, ModbusLinks links, TimeProvider time, ILoggerFactory loggers) => d.Type switch
    {
        DeviceTypes.Scale => new ScaleDevice(d, links, sink, time, loggers),
        DeviceTypes.Plc => new PlcDevice(d, links, sink, positions, time, loggers),
        DeviceTypes.Scanner or DeviceTypes.Rfid => new ScannerDevice(d, sink, time, loggers),
        DeviceTypes.PulseCounter => new PulseCounterDevice(d, sink, positions, time, loggers),
        DeviceTypes.Output => new OutputDevice(d, links, time, loggers),
        DeviceTypes.Synthetic => new SyntheticDevice(d, sink, time),
        _ => throw new ArgumentOutOfRangeException(nameof(d), d.Type, "Unknown device type."),
    };

    /// <summary>Devices whose counters resume from stored positions.</summary>
    public static bool KeepsCounterPositions(DeviceOptions d) => d.Type is DeviceTypes.Plc or DeviceTypes.PulseCounter;
}
