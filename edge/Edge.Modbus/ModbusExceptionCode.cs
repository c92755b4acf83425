namespace Edge.Modbus;

/// <summary>
/// Exception codes a Modbus server sends back instead of data (Modbus Application Protocol V1.1b3, §7).
/// </summary>
public enum ModbusExceptionCode : byte
{
    /// <summary>The server does not implement the function code.</summary>
    IllegalFunction = 0x01,

    /// <summary>The address range is not served (the most common misconfiguration of a register map).</summary>
    IllegalDataAddress = 0x02,

    /// <summary>A value in the request is not allowed (count out of range, coil value other than ON/OFF).</summary>
    IllegalDataValue = 0x03,

    /// <summary>The server failed while performing the action.</summary>
    ServerDeviceFailure = 0x04,

    /// <summary>The server accepted a long-running request and will process it later.</summary>
    Acknowledge = 0x05,

    /// <summary>The server is busy with a long-running command; retry later.</summary>
    ServerDeviceBusy = 0x06,

    /// <summary>The server cannot perform the program function (legacy, rarely used).</summary>
    NegativeAcknowledge = 0x07,

    /// <summary>The extended file area failed a parity check.</summary>
    MemoryParityError = 0x08,

    /// <summary>A gateway could not route the request to the target unit (misconfigured or overloaded).</summary>
    GatewayPathUnavailable = 0x0A,

    /// <summary>A gateway forwarded the request but the target unit did not answer (dead serial slave behind it).</summary>
    GatewayTargetFailedToRespond = 0x0B,
}
