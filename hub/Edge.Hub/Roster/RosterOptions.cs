using Edge.Contracts;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Roster;

/// <summary>The <c>Roster</c> configuration section: which gateways and devices the plant expects, and when silence means absence.</summary>
internal sealed class RosterOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Roster";

    /// <summary>
    /// A gateway (or device) with no live message for this long is shown as stale (<c>Roster:StaleAfter</c>, default
    /// 90 s, at least 1 s). Pick more than the gateways' health interval.
    /// </summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>The gateways expected to report (<c>Roster:Gateways:N:Id</c>, <c>:Site</c>, <c>:Area</c>, <c>:Devices:M</c>).</summary>
    public IList<ExpectedGateway> Gateways { get; } = [];
}

/// <summary>A gateway the plant expects (<c>Roster:Gateways:N</c>).</summary>
internal sealed class ExpectedGateway
{
    /// <summary>The gateway id.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>Its site id.</summary>
    public string Site { get; set; } = string.Empty;

    /// <summary>Its area id.</summary>
    public string Area { get; set; } = string.Empty;

    /// <summary>The devices it should report.</summary>
    public IList<string> Devices { get; } = [];
}

/// <summary>Validates <see cref="RosterOptions"/>, naming the exact key.</summary>
internal sealed class RosterOptionsValidator : IValidateOptions<RosterOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, RosterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = RosterOptions.SectionName;
        var f = new List<string>();
        if (options.StaleAfter < TimeSpan.FromSeconds(1) || options.StaleAfter > TimeSpan.FromDays(7))
        {
            f.Add($"{S}:StaleAfter must be between 00:00:01 and 7.00:00:00 (got {options.StaleAfter}).");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Gateways.Count; i++)
        {
            var g = options.Gateways[i];
            var key = $"{S}:Gateways:{i}";
            if (!ContractIds.IsValid(g.Id))
            {
                f.Add($"{key}:Id must be 1-64 characters of [A-Za-z0-9_.-] (got '{g.Id}').");
            }
            else if (!ids.Add(g.Id))
            {
                f.Add($"{key}:Id '{g.Id}' is listed twice; gateway ids are unique across the plant.");
            }

            if (!ContractIds.IsValid(g.Site))
            {
                f.Add($"{key}:Site must be 1-64 characters of [A-Za-z0-9_.-] (got '{g.Site}').");
            }

            if (!ContractIds.IsValid(g.Area) || g.Area == TopicTemplate.AlertsSegment)
            {
                f.Add($"{key}:Area must be 1-64 characters of [A-Za-z0-9_.-] and not '{TopicTemplate.AlertsSegment}' (got '{g.Area}').");
            }

            var devices = new HashSet<string>(StringComparer.Ordinal);
            for (var d = 0; d < g.Devices.Count; d++)
            {
                if (!ContractIds.IsValid(g.Devices[d]))
                {
                    f.Add($"{key}:Devices:{d} must be 1-64 characters of [A-Za-z0-9_.-] (got '{g.Devices[d]}').");
                }
                else if (!devices.Add(g.Devices[d]))
                {
                    f.Add($"{key}:Devices:{d} '{g.Devices[d]}' is listed twice.");
                }
            }
        }

        return f.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(f);
    }
}
