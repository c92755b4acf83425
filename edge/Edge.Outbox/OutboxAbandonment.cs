using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace Edge.Outbox;

/// <summary>
/// A declaration, stored in the outbox as an item of its own, that some seqs will never be sent: the items they
/// numbered were in a corrupt file and could not be read back, or the numbers were reserved and never handed out.
/// The item gets its own seq (above every seq it declares) and is delivered and acknowledged like any reading, so the
/// declaration is as durable as the data it replaces. The gateway turns it into the contract's declaration.
/// </summary>
/// <remarks>
/// The payload is the outbox's own small JSON document (<c>{"reason":…,"ranges":[[from,to],…],"note":…}</c>); the
/// declaration's time is the entry's <see cref="OutboxEntry.Timestamp"/>.
/// </remarks>
public sealed class OutboxAbandonment
{
    /// <summary>The <see cref="OutboxEntry.Kind"/> of a declaration item.</summary>
    public const string ItemKind = "outbox.abandoned";

    /// <summary>The <see cref="OutboxEntry.DeviceId"/> of a declaration item.</summary>
    public const string ItemDevice = "outbox";

    /// <summary>The seqs may have numbered items that were lost with a corrupt file.</summary>
    public const string ReasonCorrupt = "outbox-corrupt";

    /// <summary>The seqs were reserved ahead (the sequence side file) but never given to an item: nothing was lost.</summary>
    public const string ReasonNeverAssigned = "never-assigned";

    /// <summary>Most ranges in one declaration (the wire contract's limit); more become several declarations.</summary>
    public const int MaxRanges = 1000;

    /// <summary>Creates a declaration.</summary>
    /// <param name="reason">Why the seqs are given up.</param>
    /// <param name="ranges">The seqs, ascending, not overlapping, at most <see cref="MaxRanges"/>.</param>
    /// <param name="note">For people: where they were lost and what was salvaged.</param>
    public OutboxAbandonment(string reason, IReadOnlyList<OutboxSeqRange> ranges, string? note)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentNullException.ThrowIfNull(ranges);
        if (ranges.Count is 0 or > MaxRanges)
        {
            throw new ArgumentException($"A declaration names 1 to {MaxRanges} ranges, not {ranges.Count}.", nameof(ranges));
        }

        Reason = reason;
        Ranges = ranges;
        Note = note;
    }

    /// <summary><see cref="ReasonCorrupt"/> or <see cref="ReasonNeverAssigned"/>.</summary>
    public string Reason { get; }

    /// <summary>The abandoned seqs as inclusive ranges, ascending.</summary>
    public IReadOnlyList<OutboxSeqRange> Ranges { get; }

    /// <summary>For people; may be null.</summary>
    public string? Note { get; }

    /// <summary>How many seqs the ranges name.</summary>
    public long SeqCount => Ranges.Sum(r => r.To - r.From + 1);

    /// <summary>Reads the declaration an entry of kind <see cref="ItemKind"/> holds.</summary>
    /// <param name="entry">An outbox entry.</param>
    /// <param name="abandonment">The declaration, when the entry is one.</param>
    /// <returns><see langword="true"/> when the entry is a readable declaration.</returns>
    public static bool TryParse(OutboxEntry entry, [NotNullWhen(true)] out OutboxAbandonment? abandonment)
    {
        ArgumentNullException.ThrowIfNull(entry);
        abandonment = null;
        if (entry.Kind != ItemKind)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(entry.Payload);
            var root = document.RootElement;
            var reason = root.GetProperty("reason").GetString();
            var note = root.TryGetProperty("note", out var n) ? n.GetString() : null;
            var ranges = new List<OutboxSeqRange>();
            foreach (var pair in root.GetProperty("ranges").EnumerateArray())
            {
                ranges.Add(new OutboxSeqRange(pair[0].GetInt64(), pair[1].GetInt64()));
            }

            if (string.IsNullOrWhiteSpace(reason) || ranges.Count is 0 or > MaxRanges)
            {
                return false;
            }

            abandonment = new OutboxAbandonment(reason, ranges, note);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException or FormatException)
        {
            return false;
        }
    }

    /// <summary>The ranges as compact text, e.g. <c>12-15,20-20</c>, for logs.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Format(Ranges);

    internal static string Format(IEnumerable<OutboxSeqRange> ranges) =>
        string.Join(',', ranges.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.From}-{r.To}")));

    internal byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("reason", Reason);
            writer.WriteStartArray("ranges");
            foreach (var r in Ranges)
            {
                writer.WriteStartArray();
                writer.WriteNumberValue(r.From);
                writer.WriteNumberValue(r.To);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            if (Note is not null)
            {
                writer.WriteString("note", Note);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}

/// <summary>What <see cref="Outbox.AbandonAsync"/> did.</summary>
/// <param name="DeclarationSeq">The seq of the declaration item it stored.</param>
/// <param name="Seqs">The seqs deleted and declared, ascending.</param>
public sealed record OutboxAbandonmentResult(long DeclarationSeq, IReadOnlyList<long> Seqs);
