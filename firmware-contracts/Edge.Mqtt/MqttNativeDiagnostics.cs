namespace Edge.Mqtt;

/// <summary>
/// Counts native libmosquitto objects alive in this process: a debug aid for leak tests and health pages. Every
/// count returns to zero once every <see cref="MqttClient"/> has been disposed and every publish has returned.
/// </summary>
public static class MqttNativeDiagnostics
{
    private static long s_clients;
    private static long s_propertyLists;

    /// <summary>Native objects currently allocated (sum of the two counts below).</summary>
    public static long LiveHandles => Interlocked.Read(ref s_clients) + Interlocked.Read(ref s_propertyLists);

    /// <summary><c>struct mosquitto</c> clients currently allocated (one per undisposed <see cref="MqttClient"/>).</summary>
    public static long LiveClients => Interlocked.Read(ref s_clients);

    /// <summary>MQTT 5 property lists we built and have not yet freed or handed to libmosquitto.</summary>
    public static long LivePropertyLists => Interlocked.Read(ref s_propertyLists);

    internal static void ClientCreated() => Interlocked.Increment(ref s_clients);

    internal static void ClientReleased() => Interlocked.Decrement(ref s_clients);

    internal static void PropertyListCreated() => Interlocked.Increment(ref s_propertyLists);

    internal static void PropertyListReleased() => Interlocked.Decrement(ref s_propertyLists);
}
