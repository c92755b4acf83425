using System.Buffers.Binary;
using System.Net;
using Edge.Modbus.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Modbus;

/// <summary>Settings of a <see cref="ModbusTcpServer"/>.</summary>
public sealed class ModbusTcpServerOptions
{
    /// <summary>IPv4 address to listen on; "0.0.0.0" for all interfaces. Default loopback.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free port (read it from <see cref="ModbusTcpServer.Port"/>).</summary>
    public int Port { get; set; }

    /// <summary>Most clients connected at once; further connections are accepted and closed at once.</summary>
    public int MaxClients { get; set; } = 16;

    /// <summary>Longest gap allowed between bytes of one request before the client is dropped. Default 500 ms.</summary>
    public TimeSpan ByteTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting and the allowed values.</summary>
    public void Validate()
    {
        if (!IPAddress.TryParse(Address, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{nameof(ModbusTcpServerOptions)}.{nameof(Address)} must be an IPv4 address such as 127.0.0.1 or 0.0.0.0 (was '{Address}').", nameof(Address));
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"{nameof(ModbusTcpServerOptions)}.{nameof(Port)} must be 0 (any free port) or 1–65535 (was {Port}).", nameof(Port));
        }

        if (MaxClients is < 1 or > 512)
        {
            throw new ArgumentException($"{nameof(ModbusTcpServerOptions)}.{nameof(MaxClients)} must be 1–512 (was {MaxClients}).", nameof(MaxClients));
        }

        OptionChecks.ByteTimeout(nameof(ModbusTcpServerOptions), ByteTimeout);
    }
}

/// <summary>Settings of a <see cref="ModbusRtuServer"/>.</summary>
public sealed class ModbusRtuServerOptions
{
    /// <summary>Path of the serial device or pty the server answers on.</summary>
    public string SerialPort { get; set; } = string.Empty;

    /// <summary>Unit id this server answers to (1–247); requests for other ids are ignored.</summary>
    public byte UnitId { get; set; } = 1;

    /// <summary>Baud rate; 19200 is the serial-line spec's default.</summary>
    public int BaudRate { get; set; } = 19200;

    /// <summary>Parity; even is the serial-line spec's default.</summary>
    public ModbusParity Parity { get; set; } = ModbusParity.Even;

    /// <summary>Data bits (RTU uses 8).</summary>
    public int DataBits { get; set; } = 8;

    /// <summary>Stop bits, 1 or 2.</summary>
    public int StopBits { get; set; } = 1;

    /// <summary>Longest gap allowed between bytes of one request before it is dropped. Default 100 ms.</summary>
    public TimeSpan ByteTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting and the allowed values.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(SerialPort))
        {
            throw new ArgumentException($"{nameof(ModbusRtuServerOptions)}.{nameof(SerialPort)} is required: the path of the serial device.", nameof(SerialPort));
        }

        if (UnitId is 0 or > ModbusRtuBus.MaxUnitId)
        {
            throw new ArgumentException($"{nameof(ModbusRtuServerOptions)}.{nameof(UnitId)} must be 1–{ModbusRtuBus.MaxUnitId} (was {UnitId}).", nameof(UnitId));
        }

        OptionChecks.Serial(nameof(ModbusRtuServerOptions), BaudRate, Parity, DataBits, StopBits);
        OptionChecks.ByteTimeout(nameof(ModbusRtuServerOptions), ByteTimeout);
    }
}

/// <summary>
/// A Modbus TCP server (slave) answering from a <see cref="ModbusDataStore"/>, for plant simulators and tests. One
/// thread serves every client; requests for any unit id are answered from the same store. Functions 1–6, 15, 16, 22,
/// 23 (and libmodbus's others) are served; addresses outside the store's ranges get IllegalDataAddress.
/// </summary>
public sealed class ModbusTcpServer : IDisposable, IAsyncDisposable
{
    // Pending connections the kernel queues before accept(); clients over MaxClients are accepted and closed.
    private const int ListenBacklog = 512;
    private readonly ModbusServerLoop _loop;

    private ModbusTcpServer(ModbusServerLoop loop, IPEndPoint endPoint, ModbusDataStore store)
    {
        _loop = loop;
        EndPoint = endPoint;
        Store = store;
    }

    /// <summary>Where the server listens (with the actual port when 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The listening port.</summary>
    public int Port => EndPoint.Port;

    /// <summary>The data served; not owned by the server (dispose it after the server).</summary>
    public ModbusDataStore Store { get; }

    /// <summary>Clients currently connected.</summary>
    public int ClientCount => _loop.ClientCount;

    /// <summary>False once stopped, or if the serving thread failed (the log says why).</summary>
    public bool IsServing => _loop.IsServing;

    /// <summary>Binds, listens and starts serving.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    /// <exception cref="ModbusIOException">The address could not be bound (errno EADDRINUSE…).</exception>
    public static unsafe ModbusTcpServer Start(ModbusDataStore store, ModbusTcpServerOptions options, ILogger<ModbusTcpServer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var context = ModbusContext.CreateTcpServer(options.Address, options.Port);
        SafeFileDescriptorHandle? listen = null;
        try
        {
            context.SetTimeouts(TimeSpan.FromSeconds(1), options.ByteTimeout);
            listen = new SafeFileDescriptorHandle(context.TcpListen(ListenBacklog));
            var flags = Interop.Libc.Fcntl(listen.Fd, Interop.Libc.FGetFl, 0);
            if (flags == -1 || Interop.Libc.Fcntl(listen.Fd, Interop.Libc.FSetFl, flags | Interop.Libc.ONonblock) == -1)
            {
                throw ModbusErrors.FromLastError("fcntl O_NONBLOCK", null);
            }

            Interop.Libc.SockAddrIn address;
            var length = (uint)sizeof(Interop.Libc.SockAddrIn);
            if (Interop.Libc.GetSockName(listen.Fd, &address, &length) == -1)
            {
                throw ModbusErrors.FromLastError("getsockname", null);
            }

            var port = BinaryPrimitives.ReverseEndianness(address.PortNetworkOrder);
            var endPoint = new IPEndPoint(IPAddress.Parse(options.Address), port);
            var loop = new ModbusServerLoop(context, listen, options.MaxClients, store, logger ?? (ILogger)NullLogger.Instance);
            return new ModbusTcpServer(loop, endPoint, store);
        }
        catch
        {
            listen?.Dispose();
            context.Dispose();
            throw;
        }
    }

    /// <summary>Stops serving, disconnects every client and closes the listening socket.</summary>
    public void Dispose() => _loop.Dispose();

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync() => _loop.DisposeAsync();
}

/// <summary>
/// A Modbus RTU server (slave) for one unit id on a serial port or pty, answering from a <see cref="ModbusDataStore"/>.
/// </summary>
/// <remarks>
/// libmodbus 3.1 assumes a multi-drop bus: after a request for another unit id it ignores the next frame, taking it
/// for that unit's reply. On a point-to-point pty where that other unit never answers, the master's next request is
/// lost (it times out once). Give each simulated unit its own pty, or use TCP, to avoid it.
/// </remarks>
public sealed class ModbusRtuServer : IDisposable, IAsyncDisposable
{
    private readonly ModbusServerLoop _loop;

    private ModbusRtuServer(ModbusServerLoop loop, ModbusDataStore store, byte unitId)
    {
        _loop = loop;
        Store = store;
        UnitId = unitId;
    }

    /// <summary>The data served; not owned by the server (dispose it after the server).</summary>
    public ModbusDataStore Store { get; }

    /// <summary>The unit id answered to.</summary>
    public byte UnitId { get; }

    /// <summary>False once stopped, or if the port failed (the log says why).</summary>
    public bool IsServing => _loop.IsServing;

    /// <summary>Opens the port and starts serving.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    /// <exception cref="ModbusConnectionException">The port could not be opened.</exception>
    public static ModbusRtuServer Start(ModbusDataStore store, ModbusRtuServerOptions options, ILogger<ModbusRtuServer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var context = ModbusContext.CreateRtu(options.SerialPort, options.BaudRate, options.Parity, options.DataBits, options.StopBits);
        try
        {
            context.SetTimeouts(TimeSpan.FromSeconds(1), options.ByteTimeout);
            context.SetSlave(options.UnitId);
            context.Connect();
            var loop = new ModbusServerLoop(context, listen: null, maxClients: 0, store, logger ?? (ILogger)NullLogger.Instance);
            return new ModbusRtuServer(loop, store, options.UnitId);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Stops serving and closes the port.</summary>
    public void Dispose() => _loop.Dispose();

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync() => _loop.DisposeAsync();
}
