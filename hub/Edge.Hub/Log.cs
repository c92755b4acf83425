using Edge.Hub.Hosting;

namespace Edge.Hub;

/// <summary>
/// Every log line of the hub outside the InfluxDB writer (whose lines, 53000–53099, live in <c>Influx/Log.cs</c> as
/// another part of this class). Event ids: 51000–51099 hosting and MQTT, 51100–51199 ingest, 51200–51299 acknowledgements
/// and dead letters, 51300–51399 state store, 51400–51499 roster and gaps, 51500–51599 HTTP API.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(51000, LogLevel.Information, "Hub started: state store {Path} (schema {Version}), {Gateways} gateways on file, {Expected} expected")]
    public static partial void HubStarted(ILogger logger, string path, int version, int gateways, int expected);

    [LoggerMessage(51001, LogLevel.Warning, "TEST CRASH HOOK ARMED: the hub will SIGKILL itself at {Point} (set by {Variable}); never set this in production")]
    public static partial void CrashHookArmed(ILogger logger, CrashPoint point, string variable);

    [LoggerMessage(51002, LogLevel.Critical, "The hub failed and stops with exit code {ExitCode}: {Component} failed unexpectedly. Nothing more is acknowledged and /readyz is not ready; the service manager restarts the hub, and the gateways replay what was not acknowledged")]
    public static partial void HubFailed(ILogger logger, Exception exception, string component, int exitCode);

    [LoggerMessage(51010, LogLevel.Information, "MQTT connected as {ClientId} (session present: {SessionPresent})")]
    public static partial void MqttConnected(ILogger logger, string clientId, bool sessionPresent);

    [LoggerMessage(51011, LogLevel.Warning, "MQTT connection of {ClientId} lost: {Reason}; the client reconnects and the broker queues for the session meanwhile")]
    public static partial void MqttDisconnected(ILogger logger, string clientId, string reason);

    [LoggerMessage(51012, LogLevel.Information, "MQTT client {ClientId} subscribed (session present: {SessionPresent}): {Filters}")]
    public static partial void MqttSubscribed(ILogger logger, string clientId, bool sessionPresent, string filters);

    [LoggerMessage(51013, LogLevel.Error, "MQTT connect or subscribe failed; trying again in {Delay}")]
    public static partial void MqttConnectFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(51014, LogLevel.Warning, "MQTT disconnect at shutdown failed")]
    public static partial void MqttDisconnectFailed(ILogger logger, Exception exception);

    [LoggerMessage(51100, LogLevel.Error, "Ingest of a message on {Topic} failed unexpectedly; it was dead-lettered ({Suppressed} more since the last line)")]
    public static partial void IngestFailed(ILogger logger, Exception exception, string topic, long suppressed);

    [LoggerMessage(51101, LogLevel.Information, "Gateway {Gateway} birth: session {Session}, high-water seq {Seq} (retained: {Retained})")]
    public static partial void GatewayBorn(ILogger logger, string gateway, long session, long seq, bool retained);

    [LoggerMessage(51102, LogLevel.Error, "Gateway {Gateway} was born with high-water seq {Seq}, below {StoredThrough} already stored: its seq counter went backwards (wiped outbox?) and its new readings would be taken for duplicates")]
    public static partial void SeqRegression(ILogger logger, string gateway, long seq, long storedThrough);

    [LoggerMessage(51103, LogLevel.Error, "State-store commit of {Count} messages failed (attempt {Attempt}); nothing is acknowledged until it succeeds; retrying in {Delay}")]
    public static partial void CommitFailed(ILogger logger, Exception exception, int count, int attempt, TimeSpan delay);

    [LoggerMessage(51104, LogLevel.Warning, "Shutdown: {Count} messages were not settled in time; they were not acknowledged and the gateways will replay them")]
    public static partial void IngestAbandoned(ILogger logger, int count);

    [LoggerMessage(51106, LogLevel.Warning, "Gateway {Gateway}: {Count} readings in seq {First}-{Last} share device, kind, unit and timestamp with another channel; InfluxDB keeps only one per series and time (no channel tag), the state store keeps all ({Suppressed} more not logged)")]
    public static partial void SeriesCollision(ILogger logger, string gateway, int count, long first, long last, long suppressed);

    [LoggerMessage(51200, LogLevel.Warning, "Dead letter from {Source} on {Topic}: {Reason} ({Bytes} bytes; {Suppressed} more from this source in the last {Interval} not logged)")]
    public static partial void MessageDeadLettered(ILogger logger, string source, string topic, string reason, int bytes, long suppressed, TimeSpan interval);

    [LoggerMessage(51201, LogLevel.Warning, "{Count} more dead letters from {Source} in the last {Interval} were not logged")]
    public static partial void DeadLettersSuppressed(ILogger logger, string source, long count, TimeSpan interval);

    [LoggerMessage(51202, LogLevel.Error, "Storing {Count} dead letters failed (attempt {Attempt})")]
    public static partial void DeadLetterStoreFailed(ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(51210, LogLevel.Warning, "Acknowledgement to {Gateway} failed: {Reason}; it is sent again ({Suppressed} more failures not logged)")]
    public static partial void AckPublishFailed(ILogger logger, string gateway, string reason, long suppressed);

    [LoggerMessage(51300, LogLevel.Information, "State store {Path} open at schema version {Version} (migrations applied now: {Applied})")]
    public static partial void StateStoreOpened(ILogger logger, string path, int version, string applied);

    [LoggerMessage(51301, LogLevel.Warning, "{Count} oldest dead letters of refused MQTT messages evicted to stay within {MaxRows} rows and {MaxBytes} bytes (letters of lines InfluxDB refused are never evicted)")]
    public static partial void DeadLettersEvicted(ILogger logger, long count, int maxRows, long maxBytes);

    [LoggerMessage(51400, LogLevel.Information, "Gateway {Gateway} is online (birth session {Session})")]
    public static partial void GatewayOnline(ILogger logger, string gateway, long? session);

    [LoggerMessage(51401, LogLevel.Warning, "Gateway {Gateway} is offline ({How}, at {At})")]
    public static partial void GatewayOffline(ILogger logger, string gateway, string how, DateTimeOffset? at);

    [LoggerMessage(51402, LogLevel.Warning, "Gateway {Gateway} is silent (last heard {LastSeen})")]
    public static partial void GatewayStale(ILogger logger, string gateway, DateTimeOffset? lastSeen);

    [LoggerMessage(51410, LogLevel.Warning, "Gateway {Gateway}: {Missing} seqs missing between {StoredThrough} and {Highest} for more than {Grace}")]
    public static partial void GapDetected(ILogger logger, string gateway, long missing, long storedThrough, long highest, TimeSpan grace);

    [LoggerMessage(51411, LogLevel.Information, "Gateway {Gateway}: the gap is filled, stored through {StoredThrough}")]
    public static partial void GapFilled(ILogger logger, string gateway, long storedThrough);

    [LoggerMessage(51500, LogLevel.Warning, "API request {Method} {Path} refused: {Reason}")]
    public static partial void ApiAuthFailed(ILogger logger, string method, string path, string reason);

    [LoggerMessage(51501, LogLevel.Error, "API request {Method} {Path} failed")]
    public static partial void ApiFailed(ILogger logger, Exception exception, string method, string path);
}
