using System.Text.Json.Serialization;

namespace Edge.Benchmarks;

/// <summary>
/// One figure in .bench/results.json. <see cref="Ratio"/> is value ÷ baseline_value, both measured in the same run,
/// so a figure means the same on a slow and a fast machine. <see cref="Goal"/> reads like "≥ 0.9".
/// </summary>
public sealed record BenchResult(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] double Value,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("baseline")] string? Baseline,
    [property: JsonPropertyName("baseline_value")] double? BaselineValue,
    [property: JsonPropertyName("ratio")] double? Ratio,
    [property: JsonPropertyName("goal")] string? Goal)
{
    /// <summary>A figure compared with a baseline measured in the same run.</summary>
    public static BenchResult Compared(string name, double value, string unit, string baseline, double baselineValue, string goal, bool lowerIsBetter = false)
    {
        var ratio = baselineValue == 0 ? double.NaN : (lowerIsBetter ? baselineValue / value : value / baselineValue);
        return new BenchResult(name, value, unit, baseline, baselineValue, Math.Round(ratio, 4), goal);
    }

    /// <summary>An absolute figure reported beside the ratios (no baseline of its own).</summary>
    public static BenchResult Absolute(string name, double value, string unit, string? goal = null) =>
        new(name, value, unit, null, null, null, goal);

    /// <summary>Whether the figure meets its goal ("≥ x" or "≤ x", checked against the ratio when there is one, else the value).</summary>
    [JsonIgnore]
    public bool? MeetsGoal
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Goal))
            {
                return null;
            }

            var g = Goal.Trim();
            var subject = Ratio ?? Value;
            if (g.StartsWith('≥') || g.StartsWith(">=", StringComparison.Ordinal))
            {
                return subject >= ParseNumber(g);
            }

            if (g.StartsWith('≤') || g.StartsWith("<=", StringComparison.Ordinal))
            {
                return subject <= ParseNumber(g);
            }

            return null;
        }
    }

    private static double ParseNumber(string goal) =>
        double.Parse(new string([.. goal.SkipWhile(c => !char.IsDigit(c)).TakeWhile(c => char.IsDigit(c) || c == '.')]), System.Globalization.CultureInfo.InvariantCulture);
}

[JsonSerializable(typeof(List<BenchResult>))]
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
