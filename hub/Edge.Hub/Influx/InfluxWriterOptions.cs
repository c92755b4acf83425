using System.IO.Compression;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Influx;

/// <summary>The <c>Influx</c> configuration section: where and how the hub writes to InfluxDB 1.x.</summary>
internal sealed class InfluxWriterOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Influx";

    /// <summary>Base URL of influxd's HTTP API, e.g. <c>http://127.0.0.1:8086/</c> (<c>Influx:Url</c>).</summary>
    public Uri? Url { get; set; }

    /// <summary>The database (<c>Influx:Database</c>).</summary>
    public string Database { get; set; } = string.Empty;

    /// <summary>The retention policy; empty for the database's default (<c>Influx:RetentionPolicy</c>).</summary>
    public string? RetentionPolicy { get; set; }

    /// <summary>User name for HTTP basic authentication; empty when influxd runs without auth (<c>Influx:Username</c>).</summary>
    public string? Username { get; set; }

    /// <summary>Password for <see cref="Username"/> (<c>Influx:Password</c>); keep it out of files in the repository.</summary>
    public string? Password { get; set; }

    /// <summary>Most lines per request (<c>Influx:BatchSize</c>, 1–100000, default 5000).</summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>Longest a line waits for its batch to fill before it is sent anyway (<c>Influx:BatchInterval</c>, default 1 s).</summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most uncompressed bytes per request (<c>Influx:MaxBatchBytes</c>, default 8 MiB; influxd's default limit is 25 MB).</summary>
    public int MaxBatchBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Most lines held in memory, queued or in flight, before enqueuing waits (<c>Influx:QueueCapacityLines</c>, default 100000).</summary>
    public int QueueCapacityLines { get; set; } = 100_000;

    /// <summary>Most line-protocol bytes held in memory before enqueuing waits (<c>Influx:QueueCapacityBytes</c>, default 64 MiB).</summary>
    public long QueueCapacityBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Whether request bodies are gzip-compressed (<c>Influx:Gzip</c>, default true).</summary>
    public bool Gzip { get; set; } = true;

    /// <summary>The gzip level (<c>Influx:CompressionLevel</c>, default Fastest: the hub has two cores and a LAN to influxd).</summary>
    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>Longest one write request may take before it counts as a network error (<c>Influx:RequestTimeout</c>, default 30 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First backoff after a transient failure (<c>Influx:InitialRetryDelay</c>, default 0.5 s); doubles per attempt.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest backoff between transient retries (<c>Influx:MaxRetryDelay</c>, default 10 s).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait a server's <c>Retry-After</c> can impose (<c>Influx:MaxRetryAfter</c>, default 5 min).</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Interval between retries while held by 401/403 or a missing database (<c>Influx:HeldRetryInterval</c>, default 30 s).</summary>
    public TimeSpan HeldRetryInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Validates <see cref="InfluxWriterOptions"/> at start, naming the exact key and the allowed values.</summary>
internal sealed class InfluxWriterOptionsValidator : IValidateOptions<InfluxWriterOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, InfluxWriterOptions options)
    {
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws when the options are invalid (for callers that build the writer without the host).</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="OptionsValidationException">One or more values are invalid; the message names each key.</exception>
    public static void ThrowIfInvalid(InfluxWriterOptions options)
    {
        var failures = Check(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(InfluxWriterOptions.SectionName, typeof(InfluxWriterOptions), failures);
        }
    }

    /// <summary>Every rule broken, one message each.</summary>
    /// <param name="o">The options.</param>
    /// <returns>The messages; empty when valid.</returns>
    public static List<string> Check(InfluxWriterOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        const string S = InfluxWriterOptions.SectionName;
        var f = new List<string>();
        if (o.Url is null || !o.Url.IsAbsoluteUri || (o.Url.Scheme != Uri.UriSchemeHttp && o.Url.Scheme != Uri.UriSchemeHttps))
        {
            f.Add($"{S}:Url must be an absolute http or https URL of influxd's HTTP API, e.g. http://127.0.0.1:8086/ (got '{o.Url}').");
        }

        if (string.IsNullOrWhiteSpace(o.Database))
        {
            f.Add($"{S}:Database is required: the name of an existing InfluxDB database.");
        }

        if (string.IsNullOrEmpty(o.Username) != string.IsNullOrEmpty(o.Password))
        {
            f.Add($"{S}:Username and {S}:Password must be set together (or both left empty when influxd runs without auth).");
        }

        if (o.BatchSize is < 1 or > 100_000)
        {
            f.Add($"{S}:BatchSize must be between 1 and 100000 lines (got {o.BatchSize}).");
        }

        if (o.BatchInterval <= TimeSpan.Zero || o.BatchInterval > TimeSpan.FromMinutes(1))
        {
            f.Add($"{S}:BatchInterval must be greater than 0 and at most 00:01:00 (got {o.BatchInterval}).");
        }

        if (o.MaxBatchBytes < 1024)
        {
            f.Add($"{S}:MaxBatchBytes must be at least 1024 (got {o.MaxBatchBytes}).");
        }

        if (o.QueueCapacityLines < o.BatchSize)
        {
            f.Add($"{S}:QueueCapacityLines must be at least {S}:BatchSize ({o.BatchSize}) (got {o.QueueCapacityLines}).");
        }

        if (o.QueueCapacityBytes < o.MaxBatchBytes)
        {
            f.Add($"{S}:QueueCapacityBytes must be at least {S}:MaxBatchBytes ({o.MaxBatchBytes}) (got {o.QueueCapacityBytes}).");
        }

        if (!Enum.IsDefined(o.CompressionLevel))
        {
            f.Add($"{S}:CompressionLevel must be one of Optimal, Fastest, NoCompression, SmallestSize (got {o.CompressionLevel}).");
        }

        if (o.RequestTimeout <= TimeSpan.Zero)
        {
            f.Add($"{S}:RequestTimeout must be greater than 0 (got {o.RequestTimeout}).");
        }

        if (o.InitialRetryDelay < TimeSpan.FromMilliseconds(10))
        {
            // Below that a dead server would see something close to a busy loop.
            f.Add($"{S}:InitialRetryDelay must be at least 00:00:00.010 (got {o.InitialRetryDelay}).");
        }

        if (o.MaxRetryDelay < o.InitialRetryDelay)
        {
            f.Add($"{S}:MaxRetryDelay must be at least {S}:InitialRetryDelay ({o.InitialRetryDelay}) (got {o.MaxRetryDelay}).");
        }

        if (o.MaxRetryAfter < o.InitialRetryDelay)
        {
            f.Add($"{S}:MaxRetryAfter must be at least {S}:InitialRetryDelay ({o.InitialRetryDelay}) (got {o.MaxRetryAfter}).");
        }

        if (o.HeldRetryInterval < TimeSpan.FromMilliseconds(100))
        {
            f.Add($"{S}:HeldRetryInterval must be at least 00:00:00.100 (got {o.HeldRetryInterval}).");
        }

        return f;
    }
}
