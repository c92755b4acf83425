namespace Edge.Benchmarks;

/// <summary>
/// A benchmark group. Implementations are found by reflection; add a class, nothing else to register.
/// Each measures its own baseline in the same run and returns ratios (see <see cref="BenchResult"/>).
/// </summary>
public interface IBenchmark
{
    /// <summary>Short group name, used by <c>./run bench --only NAME</c>.</summary>
    string Group { get; }

    Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken);
}
