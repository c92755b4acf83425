using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Edge.Hub.Influx;

/// <summary>Reads influxd 1.x error answers: the message, and which lines a 400 is about.</summary>
internal static partial class InfluxErrors
{
    private const string PartialPrefix = "partial write: ";
    private const string UnableToParse = "unable to parse '";

    /// <summary>The error text of an answer: the <c>error</c> member of its JSON body, else the body, else the header.</summary>
    /// <param name="body">The response body (may be empty).</param>
    /// <param name="headerError">The <c>X-Influxdb-Error</c> header, if any.</param>
    /// <returns>The message; empty when the answer carried none.</returns>
    public static string ExtractMessage(string? body, string? headerError)
    {
        if (!string.IsNullOrWhiteSpace(body))
        {
            var trimmed = body.Trim();
            if (trimmed.StartsWith('{'))
            {
                try
                {
                    using var doc = JsonDocument.Parse(trimmed);
                    if (doc.RootElement.ValueKind == JsonValueKind.Object
                        && doc.RootElement.TryGetProperty("error", out var error)
                        && error.ValueKind == JsonValueKind.String)
                    {
                        return error.GetString() ?? string.Empty;
                    }
                }
                catch (JsonException)
                {
                    // Not JSON after all (a proxy's page): the raw text is the best we have.
                }
            }

            return trimmed;
        }

        return headerError?.Trim() ?? string.Empty;
    }

    /// <summary>Whether the message says the database or retention policy is missing: a configuration fault, not bad data.</summary>
    /// <param name="message">influxd's message.</param>
    /// <returns><see langword="true"/> for "database not found" or "retention policy not found".</returns>
    public static bool IsDestinationMissing(string message) =>
        message.Contains("database not found", StringComparison.OrdinalIgnoreCase)
        || message.Contains("retention policy not found", StringComparison.OrdinalIgnoreCase);

    /// <summary>Works out from a 400/422 message which of the sent lines were refused.</summary>
    /// <remarks>
    /// It never concludes that the lines it does not name were stored. influxd 1.x writes each shard of a request on
    /// its own and answers with the first shard error only, and a shard error replaces the "points beyond retention
    /// policy" count: a request across two shards, each with a conflict, reports one shard's <c>dropped=N</c>. The
    /// caller sends the unnamed lines again instead (a repeat of a stored point only overwrites it).
    /// </remarks>
    /// <param name="message">influxd's message.</param>
    /// <param name="lines">The lines of the request, UTF-8, without line feeds.</param>
    /// <returns>The analysis.</returns>
    public static BadRequestAnalysis AnalyzeBadRequest(string message, IReadOnlyList<byte[]> lines)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(lines);
        var text = message.Trim();
        var partial = text.StartsWith(PartialPrefix, StringComparison.Ordinal);
        if (partial)
        {
            text = text[PartialPrefix.Length..];
        }

        int? dropped = null;
        var droppedMatch = DroppedSuffix().Match(text);
        if (droppedMatch.Success)
        {
            dropped = int.Parse(droppedMatch.Groups[1].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);
            text = text[..droppedMatch.Index];
        }

        if (text.Contains(UnableToParse, StringComparison.Ordinal))
        {
            return new BadRequestAnalysis(IdentifyUnparsable(text, lines), AllDropped: false);
        }

        var conflict = FieldTypeConflict().Match(text);
        if (conflict.Success && partial && dropped is { } n)
        {
            // Field types are per shard, so a line of another shard can match the pattern and still have been stored.
            // More matches than dropped lines means the pattern caught some of those: bisect rather than condemn them.
            var identified = IdentifyConflicts(conflict, lines);
            if (identified.Count > 0 && identified.Count <= n)
            {
                return new BadRequestAnalysis(identified, AllDropped: false);
            }
        }

        // Every line dropped (e.g. all beyond the retention policy): one reason for all, no need to bisect. A shard
        // error reports at most that shard's lines, so this count can only reach the whole request if nothing was stored.
        if (partial && dropped == lines.Count)
        {
            return new BadRequestAnalysis([], AllDropped: true);
        }

        return new BadRequestAnalysis([], AllDropped: false);
    }

    private static List<IdentifiedLine> IdentifyUnparsable(string text, IReadOnlyList<byte[]> lines)
    {
        // influxd joins one "unable to parse '<line>': <reason>" per bad line with '\n'; our lines hold no line breaks.
        Dictionary<string, List<int>>? byText = null;
        var identified = new List<IdentifiedLine>();
        var seen = new HashSet<int>();
        foreach (var piece in text.Split('\n'))
        {
            var start = piece.IndexOf(UnableToParse, StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            start += UnableToParse.Length;
            var end = piece.LastIndexOf("': ", StringComparison.Ordinal);
            if (end < start)
            {
                continue;
            }

            var line = piece[start..end];
            var reason = piece[(end + 3)..].Trim();
            byText ??= IndexByText(lines);
            if (byText.TryGetValue(line, out var indexes))
            {
                foreach (var i in indexes)
                {
                    if (seen.Add(i))
                    {
                        identified.Add(new IdentifiedLine(i, $"unable to parse: {reason}"));
                    }
                }
            }
        }

        return identified;
    }

    private static List<IdentifiedLine> IdentifyConflicts(Match conflict, IReadOnlyList<byte[]> lines)
    {
        var field = conflict.Groups["field"].Value;
        var measurement = conflict.Groups["measurement"].Value;
        var type = conflict.Groups["type"].Value;
        var reason = conflict.Value;
        var identified = new List<IdentifiedLine>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (LineReader.TryRead(lines[i], out var m, out var fields)
                && m == measurement
                && fields.TryGetValue(field, out var kind)
                && TypeName(kind) == type)
            {
                identified.Add(new IdentifiedLine(i, reason));
            }
        }

        return identified;
    }

    private static string TypeName(InfluxFieldKind kind) => kind switch
    {
        InfluxFieldKind.Float => "float",
        InfluxFieldKind.Integer or InfluxFieldKind.UnsignedInteger => "integer",
        InfluxFieldKind.Boolean => "boolean",
        _ => "string",
    };

    private static Dictionary<string, List<int>> IndexByText(IReadOnlyList<byte[]> lines)
    {
        var map = new Dictionary<string, List<int>>(lines.Count, StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            var text = Encoding.UTF8.GetString(lines[i]);
            if (!map.TryGetValue(text, out var list))
            {
                map[text] = list = new List<int>(1);
            }

            list.Add(i);
        }

        return map;
    }

    [GeneratedRegex(@"\s*dropped=(\d+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex DroppedSuffix();

    [GeneratedRegex("""field type conflict: input field "(?<field>.*?)" on measurement "(?<measurement>.*?)" is type (?<type>\w+), already exists as type (?<existing>\w+)""", RegexOptions.CultureInvariant)]
    private static partial Regex FieldTypeConflict();
}

/// <summary>A line a 400 answer names, by index in the request, with the reason.</summary>
/// <param name="Index">Index of the line in the request.</param>
/// <param name="Reason">influxd's reason.</param>
internal readonly record struct IdentifiedLine(int Index, string Reason);

/// <summary>What a 400/422 answer says about the lines of the request.</summary>
/// <param name="Identified">The lines the message names (or pins down by measurement, field and type).</param>
/// <param name="AllDropped">Whether influxd dropped every line of the request, for the reason in the message.</param>
internal sealed record BadRequestAnalysis(IReadOnlyList<IdentifiedLine> Identified, bool AllDropped);
