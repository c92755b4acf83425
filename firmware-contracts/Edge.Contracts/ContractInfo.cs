namespace Edge.Contracts;

/// <summary>Version facts of the wire contract.</summary>
/// <remarks>
/// Versioning rule: within a major version only additive changes are made (new optional members, new message
/// kinds), so a reader accepts any minor version of its major, newer or older. A new major version lives beside the
/// old one under its own topic prefix (<c>edge/v2</c>) and both are served while gateways migrate.
/// </remarks>
public static class ContractInfo
{
    /// <summary>The major schema version this library writes and reads.</summary>
    public const int SchemaMajor = 1;

    /// <summary>The minor schema version this library writes.</summary>
    public const int SchemaMinor = 0;

    /// <summary>The value of the <c>schema</c> member this library writes: <c>"major.minor"</c>.</summary>
    public const string SchemaVersion = "1.0";

    /// <summary>The first topic segment of every contract topic.</summary>
    public const string TopicRoot = "edge";

    /// <summary>The topic segment naming the major version (<c>v1</c>).</summary>
    public const string TopicVersion = "v1";

    /// <summary>The prefix of every topic of this major version: <c>edge/v1</c>.</summary>
    public const string TopicPrefix = TopicRoot + "/" + TopicVersion;
}
