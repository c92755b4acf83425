using Edge.Contracts;

namespace Edge.Devices.Scales;

/// <summary>
/// A configurable ASCII indicator format: a .NET regular expression matched against each frame (configuration
/// section <c>Regex</c>). Named groups:
/// <list type="bullet">
/// <item><c>weight</c> (required unless <c>status</c> says overload/underload): the number, sign and blanks allowed;</item>
/// <item><c>sign</c>: <c>-</c> makes the weight negative;</item>
/// <item><c>unit</c>: <c>kg</c>, <c>g</c>, <c>t</c> or <c>lb</c>; without it <see cref="DefaultUnit"/>;</item>
/// <item><c>motion</c>: matched and not empty means the indicator is in motion;</item>
/// <item><c>stable</c>: matched and not empty means stable; when the pattern has this group and it did not match, motion;</item>
/// <item><c>gross</c> / <c>net</c>: matched means that mode; <c>mode</c>: compared with <see cref="NetValues"/>;</item>
/// <item><c>status</c>: compared with <see cref="MotionValues"/>, <see cref="OverloadValues"/> and <see cref="UnderloadValues"/>;</item>
/// <item><c>tare</c>: the tare in the same unit; <c>zero</c>: matched and not empty means centre of zero.</item>
/// </list>
/// </summary>
/// <example>
/// The common "ST,GS,+000123.4kg" family:
/// <c>^(?&lt;status&gt;ST|US|OL),(?&lt;mode&gt;GS|NT),(?&lt;weight&gt;[+-]?[ 0-9.]+)\s*(?&lt;unit&gt;kg|lb|g|t)$</c>.
/// </example>
public sealed class RegexFormatOptions
{
    /// <summary>The pattern; matched culture-invariantly with a 100 ms timeout.</summary>
    public string Pattern { get; set; } = string.Empty;

    /// <summary>Whether letter case is ignored. Default <see langword="false"/>.</summary>
    public bool IgnoreCase { get; set; }

    /// <summary>The unit when the pattern has no <c>unit</c> group or it did not match. Default kg.</summary>
    public WeightUnit DefaultUnit { get; set; } = WeightUnit.Kilogram;

    /// <summary>The mode when no mode group matched. Default gross.</summary>
    public WeightMode DefaultMode { get; set; } = WeightMode.Gross;

    /// <summary>Values of the <c>status</c> group meaning motion (ordinal, case-insensitive). Default US, M, D, MOTION.</summary>
    public IList<string> MotionValues { get; } = ["US", "M", "D", "MOTION"];

    /// <summary>Values of the <c>status</c> group meaning overload. Default OL, OVER, +.</summary>
    public IList<string> OverloadValues { get; } = ["OL", "OVER", "+"];

    /// <summary>Values of the <c>status</c> group meaning underload. Default UL, UNDER, -.</summary>
    public IList<string> UnderloadValues { get; } = ["UL", "UNDER", "-"];

    /// <summary>Values of the <c>mode</c> group meaning net. Default NT, N, NET, wn.</summary>
    public IList<string> NetValues { get; } = ["NT", "N", "NET", "wn"];

    /// <summary>The framing. Default: lines.</summary>
    public FramingOptions Framing { get; set; } = new();

    /// <summary>Lists every problem, each naming its key under <paramref name="path"/>.</summary>
    /// <param name="path">The configuration path of this section.</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(string path)
    {
        var e = new OptionErrors();
        e.RequireDefined(path, nameof(DefaultUnit), DefaultUnit);
        e.RequireDefined(path, nameof(DefaultMode), DefaultMode);
        if (string.IsNullOrWhiteSpace(Pattern))
        {
            e.Add(path, nameof(Pattern), "is required: a regular expression with at least a (?<weight>...) group");
        }
        else
        {
            try
            {
                var regex = new System.Text.RegularExpressions.Regex(Pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                if (regex.GroupNumberFromName("weight") < 0)
                {
                    e.Add(path, nameof(Pattern), "must have a named group 'weight'");
                }
            }
            catch (ArgumentException ex)
            {
                e.Add(path, nameof(Pattern), "is not a valid regular expression: " + ex.Message);
            }
        }

        if (Framing is null)
        {
            e.Add(path, nameof(Framing), "is required");
        }
        else
        {
            e.AddRange(Framing.Validate(OptionErrors.Key(path, nameof(Framing))));
        }

        return e.Errors;
    }
}
