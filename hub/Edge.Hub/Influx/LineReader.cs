using System.Text;

namespace Edge.Hub.Influx;

/// <summary>
/// Reads back the measurement and field types of a line this writer formatted, so a field-type conflict reported
/// by influxd can be pinned to the lines that caused it. Only understands the escaping <see cref="LineProtocol"/> writes.
/// </summary>
internal static class LineReader
{
    /// <summary>Reads the measurement and the type of each field of one line.</summary>
    /// <param name="utf8Line">The line, UTF-8, without the line feed.</param>
    /// <param name="measurement">The measurement name, unescaped.</param>
    /// <param name="fields">Each field key, unescaped, with its type.</param>
    /// <returns><see langword="false"/> when the line is not in the shape <see cref="LineProtocol"/> writes.</returns>
    public static bool TryRead(ReadOnlySpan<byte> utf8Line, out string measurement, out Dictionary<string, InfluxFieldKind> fields)
    {
        var line = Encoding.UTF8.GetString(utf8Line);
        fields = new Dictionary<string, InfluxFieldKind>(StringComparer.Ordinal);
        var i = 0;
        measurement = ReadName(line, ref i, stopAtEquals: false);
        if (i >= line.Length)
        {
            return false;
        }

        if (line[i] == ',')
        {
            // Skip the tag set: up to the first unescaped space (tags hold no quotes).
            while (i < line.Length && line[i] != ' ')
            {
                i += line[i] == '\\' && i + 1 < line.Length && line[i + 1] is ',' or '=' or ' ' ? 2 : 1;
            }
        }

        if (i >= line.Length || line[i] != ' ')
        {
            return false;
        }

        i++;
        while (i < line.Length)
        {
            var key = ReadName(line, ref i, stopAtEquals: true);
            if (i >= line.Length || line[i] != '=')
            {
                return false;
            }

            i++;
            if (i >= line.Length)
            {
                return false;
            }

            InfluxFieldKind kind;
            if (line[i] == '"')
            {
                i++;
                while (i < line.Length && line[i] != '"')
                {
                    i += line[i] == '\\' ? 2 : 1;
                }

                if (i >= line.Length)
                {
                    return false;
                }

                i++;
                kind = InfluxFieldKind.String;
            }
            else
            {
                var start = i;
                while (i < line.Length && line[i] is not (',' or ' '))
                {
                    i++;
                }

                var token = line.AsSpan(start, i - start);
                kind = token switch
                {
                    "true" or "false" => InfluxFieldKind.Boolean,
                    _ when token.Length > 1 && token[^1] == 'i' => InfluxFieldKind.Integer,
                    _ => InfluxFieldKind.Float,
                };
            }

            fields[key] = kind;
            if (i >= line.Length)
            {
                return false;
            }

            if (line[i] == ' ')
            {
                return true;
            }

            i++;
        }

        return false;
    }

    private static string ReadName(string line, ref int i, bool stopAtEquals)
    {
        var sb = new StringBuilder();
        while (i < line.Length)
        {
            var c = line[i];
            if (c == '\\' && i + 1 < line.Length && line[i + 1] is ',' or ' ' or '=')
            {
                sb.Append(line[i + 1]);
                i += 2;
                continue;
            }

            if (c is ',' or ' ' || (stopAtEquals && c == '='))
            {
                break;
            }

            sb.Append(c);
            i++;
        }

        return sb.ToString();
    }
}
