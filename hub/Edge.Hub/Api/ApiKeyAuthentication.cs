using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Api;

/// <summary>The authorization policies, one per role, and who satisfies each.</summary>
internal static class ApiPolicies
{
    /// <summary>Any valid key.</summary>
    public const string Viewer = "viewer";

    /// <summary>Operator or admin.</summary>
    public const string Operator = "operator";

    /// <summary>Planner or admin.</summary>
    public const string Planner = "planner";

    /// <summary>Admin only.</summary>
    public const string Admin = "admin";

    /// <summary>The role name as it appears in claims, configuration and answers.</summary>
    /// <param name="role">The role.</param>
    /// <returns>Its lower-case name.</returns>
    public static string Name(ApiRole role) => role switch
    {
        ApiRole.Viewer => Viewer,
        ApiRole.Operator => Operator,
        ApiRole.Planner => Planner,
        _ => Admin,
    };

    /// <summary>Adds the four policies.</summary>
    /// <param name="options">The authorization options.</param>
    public static void Add(AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(Viewer, p => p.RequireRole(Viewer, Operator, Planner, Admin));
        options.AddPolicy(Operator, p => p.RequireRole(Operator, Admin));
        options.AddPolicy(Planner, p => p.RequireRole(Planner, Admin));
        options.AddPolicy(Admin, p => p.RequireRole(Admin));

        // No endpoint without a role: anything not marked otherwise needs at least a viewer key.
        options.FallbackPolicy = options.GetPolicy(Viewer);
    }
}

/// <summary>Options of the API-key scheme (none beyond the defaults; keys come from <see cref="ApiOptions"/>).</summary>
internal sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>The scheme name.</summary>
    public const string Scheme = "ApiKey";

    /// <summary>The header that carries a key.</summary>
    public const string HeaderName = "X-Api-Key";
}

/// <summary>
/// Authenticates a request by its API key (<c>X-Api-Key: KEY</c> or <c>Authorization: ApiKey KEY</c>) and answers
/// 401 and 403 with RFC 7807 problem details.
/// </summary>
/// <remarks>Keys are compared as SHA-256 digests in constant time, so the comparison leaks neither key nor length.</remarks>
internal sealed class ApiKeyAuthenticationHandler : AuthenticationHandler<ApiKeyAuthenticationOptions>
{
    private readonly IReadOnlyList<(byte[] Digest, string Name, ApiRole Role)> _keys;
    private readonly IProblemDetailsService _problems;

    /// <summary>Creates the handler.</summary>
    /// <param name="options">Scheme options.</param>
    /// <param name="logger">Logger factory.</param>
    /// <param name="encoder">URL encoder.</param>
    /// <param name="api">The <c>Api</c> section with the keys.</param>
    /// <param name="problems">Writes problem details.</param>
    public ApiKeyAuthenticationHandler(IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<ApiOptions> api, IProblemDetailsService problems)
        : base(options, logger, encoder)
    {
        ArgumentNullException.ThrowIfNull(api);
        _keys = [.. api.Value.Keys.Select(k => (SHA256.HashData(Encoding.UTF8.GetBytes(k.Key)), k.Name, k.Role ?? ApiRole.Viewer))];
        _problems = problems;
    }

    /// <inheritdoc/>
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        foreach (var (d, name, role) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(d, digest))
            {
                var identity = new ClaimsIdentity(
                    [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, ApiPolicies.Name(role))],
                    ApiKeyAuthenticationOptions.Scheme);
                return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyAuthenticationOptions.Scheme)));
            }
        }

        return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
    }

    /// <inheritdoc/>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure is null
            ? $"Send an API key in the {ApiKeyAuthenticationOptions.HeaderName} header or as 'Authorization: ApiKey <key>'."
            : "The API key is not valid.";
        Log.ApiAuthFailed(Logger, Request.Method, Request.Path, detail);
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = ApiKeyAuthenticationOptions.Scheme;
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    /// <inheritdoc/>
    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = Context.User.FindFirst(ClaimTypes.Role)?.Value ?? "none";
        var detail = $"The key's role '{role}' may not {Request.Method} {Request.Path}.";
        Log.ApiAuthFailed(Logger, Request.Method, Request.Path, detail);
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", detail);
    }

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(ApiKeyAuthenticationOptions.HeaderName, out var header) && header.Count == 1 && !string.IsNullOrEmpty(header[0]))
        {
            return header[0];
        }

        var authorization = request.Headers.Authorization.ToString();
        const string Prefix = ApiKeyAuthenticationOptions.Scheme + " ";
        return authorization.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && authorization.Length > Prefix.Length
            ? authorization[Prefix.Length..].Trim()
            : null;
    }

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        await _problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = Request.Path },
        });
    }
}
