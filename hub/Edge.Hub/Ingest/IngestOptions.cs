using Edge.Contracts;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Ingest;

/// <summary>The <c>Ingest</c> configuration section: how the hub takes in, de-duplicates and acknowledges gateway data.</summary>
internal sealed class IngestOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Ingest";

    /// <summary>
    /// The MQTT 5 shared-subscription group (<c>Ingest:SharedGroup</c>, default <c>hub-ingest</c>): hub instances with
    /// the same group split the readings and scans between them.
    /// </summary>
    public string SharedGroup { get; set; } = "hub-ingest";

    /// <summary>
    /// Only this site's gateways (<c>Ingest:Site</c>); empty for every site. A plant with a hub per site sets it,
    /// so each hub subscribes to <c>edge/v1/{site}/…</c> only.
    /// </summary>
    public string? Site { get; set; }

    /// <summary>
    /// Shortest time between two acknowledgements to one gateway (<c>Ingest:AckInterval</c>, default 100 ms, 10 ms–5 s).
    /// A gateway idle for longer is acknowledged at once; under load its acknowledgements are coalesced.
    /// </summary>
    public TimeSpan AckInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long seqs may be missing below a gateway's highest stored seq before they count as a gap (<c>Ingest:GapGrace</c>, default 30 s).</summary>
    public TimeSpan GapGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Messages between receipt and commit, waiting for InfluxDB (<c>Ingest:PipelineCapacity</c>, default 2000): enough
    /// to keep the writer busy while a batch is in flight; when full the consumer waits and the broker holds the rest.
    /// </summary>
    public int PipelineCapacity { get; set; } = 2000;

    /// <summary>Most messages recorded in one state-store transaction (<c>Ingest:MaxCommitBatch</c>, default 2000).</summary>
    public int MaxCommitBatch { get; set; } = 2000;
}

/// <summary>Validates <see cref="IngestOptions"/>, naming the exact key.</summary>
internal sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = IngestOptions.SectionName;
        var f = new List<string>();
        if (!ContractIds.IsValid(options.SharedGroup))
        {
            f.Add($"{S}:SharedGroup must be 1-64 characters of [A-Za-z0-9_.-] (got '{options.SharedGroup}').");
        }

        if (!string.IsNullOrEmpty(options.Site) && !ContractIds.IsValid(options.Site))
        {
            f.Add($"{S}:Site must be empty (every site) or 1-64 characters of [A-Za-z0-9_.-] (got '{options.Site}').");
        }

        if (options.AckInterval < TimeSpan.FromMilliseconds(10) || options.AckInterval > TimeSpan.FromSeconds(5))
        {
            f.Add($"{S}:AckInterval must be between 00:00:00.010 and 00:00:05 (got {options.AckInterval}).");
        }

        if (options.GapGrace < TimeSpan.FromSeconds(1) || options.GapGrace > TimeSpan.FromDays(1))
        {
            f.Add($"{S}:GapGrace must be between 00:00:01 and 1.00:00:00 (got {options.GapGrace}).");
        }

        if (options.PipelineCapacity is < 10 or > 1_000_000)
        {
            f.Add($"{S}:PipelineCapacity must be between 10 and 1000000 (got {options.PipelineCapacity}).");
        }

        if (options.MaxCommitBatch is < 1 or > 100_000)
        {
            f.Add($"{S}:MaxCommitBatch must be between 1 and 100000 (got {options.MaxCommitBatch}).");
        }

        return f.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(f);
    }
}
