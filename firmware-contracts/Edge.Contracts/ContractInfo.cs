namespace Edge.Contracts;

/// <summary>Version facts of the wire contract.</summary>
/// <remarks>
/// Versioning rule: within a major version only additive changes are made (new optional members, new message
/// kinds), so a reader accepts any minor version of its major, newer or older. A new major version lives beside the
/// old one under its own topic prefix (<c>edge/v2</c>) and both are served while gateways migrate.
/// A writer states the lowest version whose rules its message follows: this library writes <see cref="SchemaVersion"/>
/// (1.0) on every message 1.0 describes, and <see cref="LatestSchemaVersion"/> (1.1) on a birth that carries
/// <see cref="GatewayBirth.Abandoned"/>, so anything unchanged stays byte for byte what a 1.0 peer writes and expects.
/// </remarks>
public static class ContractInfo
{
    /// <summary>The major schema version this library writes and reads.</summary>
    public const int SchemaMajor = 1;

    /// <summary>The newest minor schema version this library reads and writes (1.1 added <see cref="GatewayBirth.Abandoned"/>).</summary>
    public const int SchemaMinor = 1;

    /// <summary>
    /// The value of the <c>schema</c> member this library writes by default, <c>"major.minor"</c>: <c>"1.0"</c>, the
    /// lowest version that describes every message whose shape 1.1 did not change.
    /// </summary>
    public const string SchemaVersion = "1.0";

    /// <summary>The newest version this library knows, <c>"1.1"</c>: written on a birth that carries <see cref="GatewayBirth.Abandoned"/>.</summary>
    public const string LatestSchemaVersion = "1.1";

    /// <summary>The first topic segment of every contract topic.</summary>
    public const string TopicRoot = "edge";

    /// <summary>The topic segment naming the major version (<c>v1</c>).</summary>
    public const string TopicVersion = "v1";

    /// <summary>The prefix of every topic of this major version: <c>edge/v1</c>.</summary>
    public const string TopicPrefix = TopicRoot + "/" + TopicVersion;
}
