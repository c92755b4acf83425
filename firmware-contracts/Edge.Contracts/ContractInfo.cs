namespace Edge.Contracts;

/// <summary>Version facts of the wire contract.</summary>
public static class ContractInfo
{
    /// <summary>The major schema version this library writes and reads.</summary>
    public const int SchemaMajor = 1;
}
