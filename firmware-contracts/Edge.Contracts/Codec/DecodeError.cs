namespace Edge.Contracts;

/// <summary>Why a payload was rejected. Every rejection has exactly one code.</summary>
public enum DecodeErrorCode
{
    /// <summary>The payload has no bytes (on a retained topic that means the retained message was removed).</summary>
    EmptyPayload,

    /// <summary>The payload is larger than <see cref="ContractLimits.MaxPayloadBytes"/>.</summary>
    PayloadTooLarge,

    /// <summary>The payload is not well-formed JSON (or not valid UTF-8).</summary>
    MalformedJson,

    /// <summary>Objects and arrays nest deeper than <see cref="ContractLimits.MaxJsonDepth"/>.</summary>
    TooDeep,

    /// <summary>An object has the same member twice.</summary>
    DuplicateProperty,

    /// <summary>A required member is absent.</summary>
    MissingField,

    /// <summary>A member has the wrong JSON type (including <c>null</c>, and a fraction where an integer belongs).</summary>
    WrongType,

    /// <summary>The <c>schema</c> member is not <c>"major.minor"</c>.</summary>
    InvalidVersion,

    /// <summary>The <c>schema</c> member names a major version this library does not read.</summary>
    UnknownMajorVersion,

    /// <summary>A seq is below 1 or above 2^53 − 1, or seqs in a message are out of order or inconsistent.</summary>
    InvalidSequence,

    /// <summary>A number is NaN or infinite (written as a string such as <c>"NaN"</c>, or a literal, or overflowing).</summary>
    NonFiniteNumber,

    /// <summary>A value is outside its allowed range, or values contradict each other.</summary>
    OutOfRange,

    /// <summary>A timestamp is not an ISO 8601 date and time.</summary>
    InvalidTimestamp,

    /// <summary>A timestamp carries an offset other than UTC, or none.</summary>
    NotUtc,

    /// <summary>A timestamp lies more than <see cref="ContractLimits.MaxFutureSkew"/> after the decoder's clock.</summary>
    TimestampInFuture,

    /// <summary>An id is not 1–64 characters of <c>[A-Za-z0-9_.-]</c>.</summary>
    InvalidId,

    /// <summary>A string is longer than its limit, or empty where text is required.</summary>
    StringTooLong,

    /// <summary>An array has more items than its limit (or none where at least one is required).</summary>
    TooManyItems,

    /// <summary>A string is not one of the values its member allows.</summary>
    InvalidEnumValue,

    /// <summary>A reading's <c>kind</c> is not one this version knows.</summary>
    UnknownDiscriminator,

    /// <summary>The topic cannot be parsed (see <see cref="TopicTemplate.TryParse"/>).</summary>
    InvalidTopic,

    /// <summary>The payload disagrees with its topic (gateway, device, site, level or alert id).</summary>
    TopicMismatch,
}

/// <summary>A typed decoding failure: a code, a reason for people, and where in the JSON it was found.</summary>
/// <param name="Code">What kind of failure.</param>
/// <param name="Reason">What exactly is wrong, for logs and people.</param>
/// <param name="Path">A JSON path such as <c>$.readings[3].valueKg</c>, or <see langword="null"/> for the payload as a whole.</param>
public sealed record DecodeError(DecodeErrorCode Code, string Reason, string? Path)
{
    /// <summary>The failure as one line: <c>Code at path: reason</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Path is null ? $"{Code}: {Reason}" : $"{Code} at {Path}: {Reason}";
}
