namespace Edge.Contracts;

/// <summary>A message of the wire contract: one of the sealed records that travel on an <c>edge/v1</c> topic.</summary>
public interface IContractMessage
{
    /// <summary>The message kind, which also names the topic segment the message travels on.</summary>
    MessageKind Kind { get; }

    /// <summary>The schema version the sender wrote, <c>"major.minor"</c> (JSON <c>schema</c>).</summary>
    string Schema { get; }
}
