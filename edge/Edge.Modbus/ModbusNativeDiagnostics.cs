namespace Edge.Modbus;

/// <summary>
/// Counts native libmodbus objects alive in this process: a debug aid for leak tests and health pages.
/// Every count returns to zero once every client, bus, server and data store has been disposed.
/// </summary>
public static class ModbusNativeDiagnostics
{
    private static long s_contexts;
    private static long s_mappings;

    /// <summary>modbus_t and modbus_mapping_t objects currently allocated (sum of the two counts below).</summary>
    public static long LiveHandles => Interlocked.Read(ref s_contexts) + Interlocked.Read(ref s_mappings);

    /// <summary>modbus_t contexts currently allocated.</summary>
    public static long LiveContexts => Interlocked.Read(ref s_contexts);

    /// <summary>modbus_mapping_t tables currently allocated.</summary>
    public static long LiveMappings => Interlocked.Read(ref s_mappings);

    internal static void ContextCreated() => Interlocked.Increment(ref s_contexts);

    internal static void ContextReleased() => Interlocked.Decrement(ref s_contexts);

    internal static void MappingCreated() => Interlocked.Increment(ref s_mappings);

    internal static void MappingReleased() => Interlocked.Decrement(ref s_mappings);
}
