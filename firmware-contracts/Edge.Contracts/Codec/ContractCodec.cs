using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Edge.Contracts;

/// <summary>
/// Encodes messages to UTF-8 JSON and decodes them strictly. Decoding never throws for any payload: it returns a
/// complete, validated record or a <see cref="DecodeError"/>, never a half-filled record.
/// </summary>
/// <remarks>
/// Decoding checks, in order: payload size, JSON well-formedness and depth, duplicate members, the <c>schema</c>
/// version (any minor of major 1; unknown members are ignored because newer minors may add them), then every
/// member's presence, type, range and the cross-member rules. See <see cref="ContractLimits"/> for the limits.
/// </remarks>
public static class ContractCodec
{
    /// <summary>Encodes a message as compact UTF-8 JSON.</summary>
    /// <param name="message">The message; use <see cref="TryValidate"/> first if it may break the contract's rules.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="ArgumentException">The message holds a value JSON cannot express (NaN, infinity).</exception>
    /// <exception cref="NotSupportedException">The message is not one of the contract's records.</exception>
    public static byte[] Encode(IContractMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var context = ContractJsonContext.Wire;
        return message switch
        {
            ReadingBatch m => JsonSerializer.SerializeToUtf8Bytes(m, context.ReadingBatch),
            ScanEvent m => JsonSerializer.SerializeToUtf8Bytes(m, context.ScanEvent),
            GatewayBirth m => JsonSerializer.SerializeToUtf8Bytes(m, context.GatewayBirth),
            GatewayDeath m => JsonSerializer.SerializeToUtf8Bytes(m, context.GatewayDeath),
            DeviceHealth m => JsonSerializer.SerializeToUtf8Bytes(m, context.DeviceHealth),
            Acknowledgement m => JsonSerializer.SerializeToUtf8Bytes(m, context.Acknowledgement),
            Command m => JsonSerializer.SerializeToUtf8Bytes(m, context.Command),
            Alert m => JsonSerializer.SerializeToUtf8Bytes(m, context.Alert),
            _ => throw new NotSupportedException($"{message.GetType()} is not a contract message."),
        };
    }

    /// <summary>Decodes a payload as the message type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">One of the contract's message records, e.g. <see cref="ReadingBatch"/>.</typeparam>
    /// <param name="utf8">The payload.</param>
    /// <param name="now">The receiver's clock, for the future-timestamp check.</param>
    /// <param name="message">The message, when valid.</param>
    /// <param name="error">Why it is not, otherwise.</param>
    /// <returns><see langword="true"/> when the payload is a valid message.</returns>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a contract message record (a programming error).</exception>
    public static bool TryDecode<T>(
        ReadOnlySpan<byte> utf8,
        DateTimeOffset now,
        [NotNullWhen(true)] out T? message,
        [NotNullWhen(false)] out DecodeError? error)
        where T : class, IContractMessage
    {
        if (!MessageKindRules.TryGetByType(typeof(T), out var rule))
        {
            throw new NotSupportedException($"{typeof(T)} is not a contract message record.");
        }

        if (TryDecode(rule.Kind, utf8, now, out var decoded, out error))
        {
            message = (T)decoded;
            return true;
        }

        message = null;
        return false;
    }

    /// <summary>Decodes a payload as the message type <typeparamref name="T"/>, reading the time from <paramref name="clock"/>.</summary>
    /// <typeparam name="T">One of the contract's message records.</typeparam>
    /// <param name="utf8">The payload.</param>
    /// <param name="clock">The receiver's clock.</param>
    /// <param name="message">The message, when valid.</param>
    /// <param name="error">Why it is not, otherwise.</param>
    /// <returns><see langword="true"/> when the payload is a valid message.</returns>
    public static bool TryDecode<T>(
        ReadOnlySpan<byte> utf8,
        TimeProvider clock,
        [NotNullWhen(true)] out T? message,
        [NotNullWhen(false)] out DecodeError? error)
        where T : class, IContractMessage
    {
        ArgumentNullException.ThrowIfNull(clock);
        return TryDecode(utf8, clock.GetUtcNow(), out message, out error);
    }

    /// <summary>Decodes a payload as the record of <paramref name="kind"/>, e.g. the kind parsed from its topic.</summary>
    /// <param name="kind">The message kind.</param>
    /// <param name="utf8">The payload.</param>
    /// <param name="now">The receiver's clock, for the future-timestamp check.</param>
    /// <param name="message">The message, when valid; its runtime type is the kind's record.</param>
    /// <param name="error">Why it is not, otherwise.</param>
    /// <returns><see langword="true"/> when the payload is a valid message.</returns>
    public static bool TryDecode(
        MessageKind kind,
        ReadOnlySpan<byte> utf8,
        DateTimeOffset now,
        [NotNullWhen(true)] out IContractMessage? message,
        [NotNullWhen(false)] out DecodeError? error)
    {
        _ = MessageKindRules.Get(kind);
        message = null;

        // RFC 8259 §8.1: a parser may ignore a byte order mark, and some Windows tools write one.
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        error = JsonTape.Parse(utf8, out var tape);
        if (error is not null)
        {
            return false;
        }

        try
        {
            message = Read(kind, tape!.Root, now, out error);
        }
        catch (InvalidOperationException)
        {
            // GetString throws this for strings that are not valid UTF-8, as JsonElement's does.
            message = null;
            error = new DecodeError(DecodeErrorCode.MalformedJson, "A string is not valid UTF-8.", null);
        }
        finally
        {
            tape!.Release();
        }

        return message is not null;
    }

    /// <summary>
    /// Decodes a payload by its topic, as the hub and subscribers receive it: parses the topic, decodes the record
    /// of its kind, and checks that the payload agrees with the topic (gateway, device, site, level, alert id).
    /// </summary>
    /// <param name="topic">The concrete topic the payload arrived on.</param>
    /// <param name="utf8">The payload.</param>
    /// <param name="now">The receiver's clock.</param>
    /// <param name="topicParts">The parsed topic, when the topic is valid (even if the payload is not).</param>
    /// <param name="message">The message, when valid.</param>
    /// <param name="error">Why it is not, otherwise (<see cref="DecodeErrorCode.InvalidTopic"/> for a bad topic).</param>
    /// <returns><see langword="true"/> when topic and payload are valid and agree.</returns>
    public static bool TryDecode(
        string topic,
        ReadOnlySpan<byte> utf8,
        DateTimeOffset now,
        out TopicParts? topicParts,
        [NotNullWhen(true)] out IContractMessage? message,
        [NotNullWhen(false)] out DecodeError? error)
    {
        message = null;
        if (!TopicTemplate.TryParse(topic, out topicParts, out var topicError))
        {
            error = new DecodeError(DecodeErrorCode.InvalidTopic, topicError.ToString(), null);
            return false;
        }

        if (!TryDecode(topicParts.Kind, utf8, now, out var decoded, out error))
        {
            return false;
        }

        var mismatch = FindTopicMismatch(topicParts, decoded);
        if (mismatch is not null)
        {
            error = mismatch;
            return false;
        }

        message = decoded;
        return true;
    }

    /// <summary>
    /// Checks a message against every rule a receiver applies, by encoding and decoding it. A gateway calls this
    /// before it stores a message in its outbox, so it never sends what the hub will reject.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="now">The clock the future-timestamp rule is checked against.</param>
    /// <param name="error">The first rule broken.</param>
    /// <returns><see langword="true"/> when a receiver will accept the message.</returns>
    public static bool TryValidate(IContractMessage message, DateTimeOffset now, [NotNullWhen(false)] out DecodeError? error)
    {
        ArgumentNullException.ThrowIfNull(message);
        byte[] payload;
        try
        {
            payload = Encode(message);
        }
        catch (ArgumentException e)
        {
            // The serializer refuses NaN and infinities with an ArgumentException.
            error = new DecodeError(DecodeErrorCode.NonFiniteNumber, e.Message, null);
            return false;
        }
        catch (JsonException e)
        {
            // A null in a member declared non-nullable.
            error = new DecodeError(DecodeErrorCode.MissingField, e.Message, e.Path);
            return false;
        }

        return TryDecode(message.Kind, payload, now, out _, out error);
    }

    private static IContractMessage? Read(MessageKind kind, TapeValue root, DateTimeOffset now, out DecodeError? error)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = new DecodeError(DecodeErrorCode.WrongType, "A message must be a JSON object.", "$");
            return null;
        }

        var context = new DecodeContext(now);
        var reader = new ObjectReader(root, "$", context);

        // The version first: a message of another major version may have any shape at all.
        var schema = MessageReaders.ReadSchema(reader);
        var message = schema is null ? null : MessageReaders.Read(kind, reader, schema);
        error = context.Error;
        return context.Failed ? null : message;
    }

    private static DecodeError? FindTopicMismatch(TopicParts topic, IContractMessage message)
    {
        static DecodeError Mismatch(string member, string inPayload, string? inTopic) =>
            new(DecodeErrorCode.TopicMismatch, $"The payload says '{inPayload}' but the topic says '{inTopic}'.", "$." + member);

        switch (message)
        {
            case GatewayMessage m when m.GatewayId != topic.Gateway:
                return Mismatch("gatewayId", m.GatewayId, topic.Gateway);
            case DeviceHealth m when m.Device != topic.Device:
                return Mismatch("device", m.Device, topic.Device);
            case Acknowledgement m when m.GatewayId != topic.Gateway:
                return Mismatch("gatewayId", m.GatewayId, topic.Gateway);
            case Command m when m.GatewayId != topic.Gateway:
                return Mismatch("gatewayId", m.GatewayId, topic.Gateway);
            case Command m when m.Device != topic.Device:
                return Mismatch("device", m.Device, topic.Device);
            case Alert m when m.Site != topic.Site:
                return Mismatch("site", m.Site, topic.Site);
            case Alert m when m.Level != topic.Level:
                return Mismatch("level", WireEnums.AlertLevel.ToName(m.Level), topic.Level is { } level ? WireEnums.AlertLevel.ToName(level) : null);
            case Alert m when m.AlertId != topic.AlertId:
                return Mismatch("alertId", m.AlertId, topic.AlertId);
            default:
                return null;
        }
    }
}
