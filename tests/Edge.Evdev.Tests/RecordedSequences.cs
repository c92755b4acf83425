using System.Globalization;
using System.Text;
using Edge.Evdev.Internal;

namespace Edge.Evdev.Tests;

/// <summary>Parses TestData/recorded-scans.txt; key names are resolved through libevdev's own tables.</summary>
internal static class RecordedSequences
{
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(2);

    public static IEnumerable<object[]> Cases()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "recorded-scans.txt");
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(" | ");
            yield return [$"line {number}", parts[0], Unescape(parts[1]), parts[2]];
        }
    }

    public static KeyboardLayout Layout(string name) => name switch
    {
        "us" => KeyboardLayout.UnitedStates,
        "de" => KeyboardLayout.German,
        _ => throw new ArgumentException($"unknown layout {name}"),
    };

    public static List<KeyEvent> Parse(string events, TimeSpan start = default)
    {
        var result = new List<KeyEvent>();
        var t = start;
        foreach (var token in events.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = token[..^1];
            var action = token[^1] switch
            {
                '+' => KeyAction.Press,
                '-' => KeyAction.Release,
                '*' => KeyAction.Repeat,
                _ => throw new FormatException($"bad event '{token}'"),
            };
            var code = EvdevNames.KeyCodeFromName(name);
            if (code < 0)
            {
                throw new FormatException($"libevdev does not know the key name '{name}'");
            }

            t += Step;
            result.Add(new KeyEvent((KeyCode)code, action, t));
        }

        return result;
    }

    public static List<ScanOutcome> Decode(KeyboardWedgeDecoder decoder, IEnumerable<KeyEvent> events)
    {
        var outcomes = new List<ScanOutcome>();
        foreach (var e in events)
        {
            if (decoder.Process(e) is { } outcome)
            {
                outcomes.Add(outcome);
            }
        }

        return outcomes;
    }

    private static string Unescape(string text)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                if (text[i + 1] == 't')
                {
                    sb.Append('\t');
                    i++;
                    continue;
                }

                if (text[i + 1] == 'x')
                {
                    sb.Append((char)int.Parse(text.AsSpan(i + 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 3;
                    continue;
                }
            }

            sb.Append(text[i]);
        }

        return sb.ToString();
    }
}
