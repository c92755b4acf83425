using Microsoft.Extensions.Options;

namespace Edge.Hub.Api;

/// <summary>
/// Who may call the HTTP API. Every role reads what a viewer reads; operator and planner each add their own data;
/// admin may do everything (see <see cref="ApiPolicies"/>).
/// </summary>
internal enum ApiRole
{
    /// <summary>Wall screens: gateways, devices and their health, latest values.</summary>
    Viewer = 1,

    /// <summary>Shop-floor and maintenance staff: also dead letters (raw payloads, which may hold anything a device sent).</summary>
    Operator = 2,

    /// <summary>Planners and buyers: also counter totals and scans (the figures they plan with).</summary>
    Planner = 3,

    /// <summary>Administrators: everything, including purging dead letters.</summary>
    Admin = 4,
}

/// <summary>Who may read <c>/metrics</c>.</summary>
internal enum MetricsAccess
{
    /// <summary>Anyone on the loopback interface (a local Prometheus or node agent); a viewer key from elsewhere (the default).</summary>
    Loopback,

    /// <summary>Only callers with a viewer key (or better).</summary>
    Viewer,

    /// <summary>Anyone: for a network where the scraper cannot send a header.</summary>
    Anonymous,
}

/// <summary>The <c>Api</c> configuration section.</summary>
internal sealed class ApiOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Api";

    /// <summary>The keys (<c>Api:Keys:N:Name</c>, <c>:Key</c>, <c>:Role</c>). Keep the keys themselves out of files in the repository.</summary>
    public IList<ApiKeyOptions> Keys { get; } = [];

    /// <summary>Who may read /metrics (<c>Api:MetricsAccess</c>: Loopback, Viewer or Anonymous; default Loopback).</summary>
    public MetricsAccess MetricsAccess { get; set; } = MetricsAccess.Loopback;
}

/// <summary>One API key (<c>Api:Keys:N</c>).</summary>
internal sealed class ApiKeyOptions
{
    /// <summary>Who holds it, for logs and <c>/api/v1/whoami</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The secret: at least 16 characters, sent as <c>X-Api-Key</c> or <c>Authorization: ApiKey …</c>.</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>viewer, operator, planner or admin.</summary>
    public ApiRole? Role { get; set; }
}

/// <summary>Validates <see cref="ApiOptions"/>, naming the exact key.</summary>
internal sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    /// <summary>The shortest key accepted.</summary>
    public const int MinKeyLength = 16;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = ApiOptions.SectionName;
        var f = new List<string>();
        if (options.Keys.Count == 0)
        {
            f.Add($"{S}:Keys must list at least one key ({S}:Keys:0:Name, {S}:Keys:0:Key, {S}:Keys:0:Role): no endpoint but /healthz, /readyz and /metrics works without one.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var k = options.Keys[i];
            var key = $"{S}:Keys:{i}";
            if (string.IsNullOrWhiteSpace(k.Name))
            {
                f.Add($"{key}:Name is required (who holds the key).");
            }
            else if (!names.Add(k.Name))
            {
                f.Add($"{key}:Name '{k.Name}' is used twice.");
            }

            if (k.Key is null || k.Key.Length < MinKeyLength || k.Key.Any(char.IsWhiteSpace))
            {
                f.Add($"{key}:Key must be at least {MinKeyLength} characters without spaces.");
            }
            else if (!keys.Add(k.Key))
            {
                f.Add($"{key}:Key is the same as another key's; every holder gets their own.");
            }

            if (k.Role is not { } role || !Enum.IsDefined(role))
            {
                f.Add($"{key}:Role must be one of viewer, operator, planner, admin (got '{k.Role}').");
            }
        }

        if (!Enum.IsDefined(options.MetricsAccess))
        {
            f.Add($"{S}:MetricsAccess must be Loopback, Viewer or Anonymous (got {options.MetricsAccess}).");
        }

        return f.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(f);
    }
}
