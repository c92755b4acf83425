using Microsoft.Extensions.Options;

namespace Edge.Hub.State;

/// <summary>How durable a commit is (SQLite <c>PRAGMA synchronous</c> in WAL mode).</summary>
internal enum StateSynchronous
{
    /// <summary>Every commit is on disk before it returns: an acknowledged seq survives a power cut (the default).</summary>
    Full,

    /// <summary>Commits survive a crash of the hub but the last ones may be lost in a power cut (then replayed gateways are written again, and totals may miss them).</summary>
    Normal,
}

/// <summary>The <c>State</c> configuration section: the hub's SQLite state store.</summary>
internal sealed class StateStoreOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "State";

    /// <summary>Path of the SQLite database file (<c>State:Path</c>); its directory is created if missing.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Commit durability (<c>State:Synchronous</c>: Full or Normal; default Full).</summary>
    public StateSynchronous Synchronous { get; set; } = StateSynchronous.Full;

    /// <summary>How long a write waits for a lock held by another process on the same file (<c>State:BusyTimeout</c>, default 10 s).</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Validates <see cref="StateStoreOptions"/>, naming the exact key.</summary>
internal sealed class StateStoreOptionsValidator : IValidateOptions<StateStoreOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, StateStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = StateStoreOptions.SectionName;
        var f = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            f.Add($"{S}:Path is required: the SQLite file of the hub's state, e.g. /var/lib/edge-hub/state.db.");
        }
        else if (options.Path.AsSpan().IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0 || options.Path.EndsWith('/'))
        {
            f.Add($"{S}:Path must be a file path (got '{options.Path}').");
        }

        if (!Enum.IsDefined(options.Synchronous))
        {
            f.Add($"{S}:Synchronous must be Full or Normal (got {options.Synchronous}).");
        }

        if (options.BusyTimeout < TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromMinutes(10))
        {
            f.Add($"{S}:BusyTimeout must be between 00:00:00 and 00:10:00 (got {options.BusyTimeout}).");
        }

        return f.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(f);
    }
}
