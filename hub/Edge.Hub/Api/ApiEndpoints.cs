using System.Net;
using System.Security.Claims;
using Edge.Hub.Hosting;
using Edge.Hub.Ingest;
using Edge.Hub.Metrics;
using Edge.Hub.Roster;
using Edge.Hub.State;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Api;

/// <summary>
/// The HTTP endpoints. Every error answer is RFC 7807 problem details (<c>application/problem+json</c>): 400 for bad
/// parameters, 401 without a valid key, 403 for a role that may not, 404 for unknown gateways and paths, 500 for
/// anything unforeseen.
/// </summary>
internal static class ApiEndpoints
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;
    private const int MaxAbandonmentsShown = 50;

    /// <summary>Maps every endpoint.</summary>
    /// <param name="app">The application.</param>
    /// <returns>The application.</returns>
    public static WebApplication MapHubEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/healthz", () => TypedResults.Ok(new LivenessDto("alive"))).AllowAnonymous();
        app.MapGet("/readyz", ReadyAsync).AllowAnonymous();
        app.MapGet("/metrics", MetricsAsync).AllowAnonymous();

        var api = app.MapGroup("/api/v1");
        api.MapGet("/whoami", WhoAmI).RequireAuthorization(ApiPolicies.Viewer);
        api.MapGet("/gateways", Gateways).RequireAuthorization(ApiPolicies.Viewer);
        api.MapGet("/gateways/{id}", Gateway).RequireAuthorization(ApiPolicies.Viewer);
        api.MapGet("/gateways/{id}/devices", Devices).RequireAuthorization(ApiPolicies.Viewer);
        api.MapGet("/readings/latest", Latest).RequireAuthorization(ApiPolicies.Viewer);
        api.MapGet("/counters", Counters).RequireAuthorization(ApiPolicies.Planner);
        api.MapGet("/scans", Scans).RequireAuthorization(ApiPolicies.Planner);
        api.MapGet("/deadletters", DeadLetters).RequireAuthorization(ApiPolicies.Operator);
        api.MapDelete("/deadletters", PurgeDeadLetters).RequireAuthorization(ApiPolicies.Admin);
        return app;
    }

    private static async Task<JsonHttpResult<ReadinessReport>> ReadyAsync(Readiness readiness, CancellationToken cancellationToken)
    {
        var report = await readiness.CheckAsync(cancellationToken);
        return TypedResults.Json(report, ApiJsonContext.Default.ReadinessReport, statusCode: report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> MetricsAsync(HttpContext context, PrometheusExposition exposition, IOptions<ApiOptions> options)
    {
        var access = options.Value.MetricsAccess;
        var remote = context.Connection.RemoteIpAddress;
        var open = access == MetricsAccess.Anonymous || (access == MetricsAccess.Loopback && remote is not null && IPAddress.IsLoopback(remote));
        if (!open && context.User.Identity?.IsAuthenticated != true)
        {
            // The scheme's challenge writes the 401 problem; any valid key (every role reads) is enough.
            await context.ChallengeAsync(ApiKeyAuthenticationOptions.Scheme);
            return Results.Empty;
        }

        return TypedResults.Text(exposition.Render(), PrometheusExposition.ContentType);
    }

    private static Ok<WhoAmIDto> WhoAmI(ClaimsPrincipal user) =>
        TypedResults.Ok(new WhoAmIDto(user.Identity?.Name ?? string.Empty, user.FindFirst(ClaimTypes.Role)?.Value ?? string.Empty));

    private static Ok<IReadOnlyList<GatewayDto>> Gateways(RosterTracker roster, IngestLedger ledger, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok<IReadOnlyList<GatewayDto>>([.. roster.Snapshot(now).Select(g => ToDto(g, ledger))]);
    }

    private static Results<Ok<GatewayDto>, ProblemHttpResult> Gateway(string id, RosterTracker roster, IngestLedger ledger, IStateStore store, TimeProvider time)
    {
        var g = roster.Find(id, time.GetUtcNow());
        if (g is null)
        {
            return NotFound(id);
        }

        // The planner must see where readings may have been lost, not only how many.
        var abandonments = store.GetAbandonments(id, MaxAbandonmentsShown).Select(a =>
            new AbandonmentDto(a.Seq, a.Reason, a.Ranges, a.Declared, a.Abandoned, a.Note, a.DeclaredAt, a.ReceivedAt)).ToList();
        return TypedResults.Ok(ToDto(g, ledger) with { Abandonments = abandonments });
    }

    private static Results<Ok<IReadOnlyList<DeviceDto>>, ProblemHttpResult> Devices(string id, RosterTracker roster, TimeProvider time)
    {
        var g = roster.Find(id, time.GetUtcNow());
        return g is null ? NotFound(id) : TypedResults.Ok<IReadOnlyList<DeviceDto>>([.. g.Devices.Select(ToDto)]);
    }

    private static Ok<IReadOnlyList<LatestDto>> Latest(string? gateway, string? device, IStateStore store) =>
        TypedResults.Ok<IReadOnlyList<LatestDto>>([.. store.GetLatest(Blank(gateway), Blank(device)).Select(l =>
            new LatestDto(l.GatewayId, l.Device, l.Channel, l.Kind, l.Value, l.Text, l.Unit, l.Ts, l.Seq, l.ReceivedAt))]);

    private static Ok<IReadOnlyList<CounterDto>> Counters(string? gateway, IStateStore store) =>
        TypedResults.Ok<IReadOnlyList<CounterDto>>([.. store.GetCounterTotals(Blank(gateway)).Select(c =>
            new CounterDto(c.GatewayId, c.Device, c.Channel, c.Total, c.Readings, c.LastRaw, c.Epoch, c.Width, c.LastTs, c.LastSeq))]);

    private static Results<Ok<ScanPageDto>, ProblemHttpResult> Scans(string? gateway, long? before, int? limit, IStateStore store)
    {
        if (PageSizeProblem(limit) is { } problem)
        {
            return problem;
        }

        var size = limit ?? DefaultPageSize;
        var scans = store.GetScans(Blank(gateway), before, size);
        var items = scans.Select(s => new ScanDto(s.GatewayId, s.Seq, s.Site, s.Area, s.Device, s.Station, s.Code, s.Tech, s.Symbology, s.Ts, s.ReceivedAt)).ToList();
        return TypedResults.Ok(new ScanPageDto(items, items.Count == size ? items[^1].Seq : null));
    }

    private static Results<Ok<DeadLetterPageDto>, ProblemHttpResult> DeadLetters(long? before, int? limit, IStateStore store)
    {
        if (PageSizeProblem(limit) is { } problem)
        {
            return problem;
        }

        var size = limit ?? DefaultPageSize;
        var letters = store.GetDeadLetters(before, size);
        var stats = store.GetDeadLetterStats();
        var items = letters.Select(l => new DeadLetterDto(
            l.Id,
            l.Letter.ReceivedAt,
            l.Letter.Source,
            SqliteStateStore.KindName(l.Letter.Kind),
            l.Letter.Topic,
            l.Letter.Reason,
            l.Letter.Origin,
            l.Letter.PayloadBytes,
            l.Letter.Truncated,
            Convert.ToBase64String(l.Letter.Payload.Span))).ToList();
        return TypedResults.Ok(new DeadLetterPageDto(items, items.Count == size ? items[^1].Id : null, stats.Rows, stats.Total, stats.Evicted));
    }

    // A bare purge clears the refused MQTT messages only. Letters of lines InfluxDB refused are the last copies of
    // readings already acknowledged to their gateways; deleting them has to be asked for by name (kind=influx).
    private static Results<Ok<PurgeDto>, ProblemHttpResult> PurgeDeadLetters(string? kind, IStateStore store)
    {
        DeadLetterKind which;
        if (Blank(kind) is null || string.Equals(kind, "mqtt", StringComparison.OrdinalIgnoreCase))
        {
            which = DeadLetterKind.Mqtt;
        }
        else if (string.Equals(kind, "influx", StringComparison.OrdinalIgnoreCase))
        {
            which = DeadLetterKind.Influx;
        }
        else
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid parameter",
                detail: $"kind must be mqtt (the default: refused MQTT messages) or influx (lines InfluxDB refused, the only copies of acknowledged readings) (got '{kind}').");
        }

        var deleted = store.PurgeDeadLetters(which);
        return TypedResults.Ok(new PurgeDto(deleted, SqliteStateStore.KindName(which), store.GetDeadLetterStats().Rows));
    }

    private static ProblemHttpResult? PageSizeProblem(int? limit) =>
        limit is < 1 or > MaxPageSize
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid parameter",
                detail: $"limit must be between 1 and {MaxPageSize} (got {limit}).")
            : null;

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Gateway not found", detail: $"No gateway '{id}' is expected or has reported.");

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static GatewayDto ToDto(GatewayView g, IngestLedger ledger)
    {
        long storedThrough = 0, highest = 0, missing = 0;
        (long Lost, long Unassigned, long Recovered, long Outstanding) abandoned = default;
        if (ledger.Find(g.Gateway.GatewayId) is { } l)
        {
            storedThrough = l.Figures().StoredThrough;
            highest = l.HighestSeen;
            missing = RosterMonitor.OpenGap(l);
            abandoned = l.AbandonmentFigures();
        }

        return new GatewayDto(
            g.Gateway.GatewayId,
            g.Gateway.Site,
            g.Gateway.Area,
            g.Expected,
            g.Presence.ToString().ToLowerInvariant(),
            g.BirthSession,
            g.BornAt,
            g.SoftwareVersion,
            g.DeathSession,
            g.DiedAt,
            g.DeathGraceful,
            g.LastSeenAt,
            storedThrough,
            highest,
            Math.Max(0, highest - storedThrough),
            missing,
            [.. g.Devices.Select(ToDto)],
            abandoned.Lost,
            abandoned.Unassigned,
            abandoned.Recovered,
            null);
    }

    private static DeviceDto ToDto(DeviceView d) => new(
        d.Device,
        d.Expected,
        d.Presence.ToString().ToLowerInvariant(),
        d.ReportedState is { } s ? SqliteStateStore.DeviceStateName(s) : null,
        d.LastGoodReadAt,
        d.ErrorCount,
        d.Message,
        d.LastHeardAt);
}
