using System.Diagnostics;
using System.Globalization;

namespace Edge.Hub.Hosting;

/// <summary>Where in the ingest a test may make the hub kill itself.</summary>
internal enum CrashPoint
{
    /// <summary>Never.</summary>
    None,

    /// <summary>InfluxDB answered 204 for a batch, before the state store commits it (so before the acknowledgement).</summary>
    AfterWrite,

    /// <summary>The state store committed, before the acknowledgement is published.</summary>
    AfterCommit,
}

/// <summary>
/// A test-only hook: with <c>EDGE_HUB_TEST_CRASH_POINT=after-write|after-commit</c> and
/// <c>EDGE_HUB_TEST_CRASH_AFTER=N</c> (default 1) in its environment, the hub SIGKILLs itself the N-th time it
/// reaches that point, the way a power cut would stop it. Unset in production; the hub logs a warning when armed.
/// </summary>
internal sealed class TestCrashHook
{
    /// <summary>The environment variable naming the point.</summary>
    public const string PointVariable = "EDGE_HUB_TEST_CRASH_POINT";

    /// <summary>The environment variable giving the count.</summary>
    public const string AfterVariable = "EDGE_HUB_TEST_CRASH_AFTER";

    private int _remaining;

    /// <summary>Creates a hook.</summary>
    /// <param name="point">Where to crash.</param>
    /// <param name="after">On which arrival (1 = the first).</param>
    public TestCrashHook(CrashPoint point, int after)
    {
        Point = point;
        _remaining = Math.Max(1, after);
    }

    /// <summary>Where the hook crashes; <see cref="CrashPoint.None"/> when disarmed.</summary>
    public CrashPoint Point { get; }

    /// <summary>Reads the hook from the environment.</summary>
    /// <returns>The hook (disarmed when the variables are absent).</returns>
    /// <exception cref="InvalidOperationException">The variables hold something else than documented.</exception>
    public static TestCrashHook FromEnvironment()
    {
        var point = Environment.GetEnvironmentVariable(PointVariable);
        if (string.IsNullOrEmpty(point))
        {
            return new TestCrashHook(CrashPoint.None, 1);
        }

        var parsed = point switch
        {
            "after-write" => CrashPoint.AfterWrite,
            "after-commit" => CrashPoint.AfterCommit,
            _ => throw new InvalidOperationException($"{PointVariable} must be after-write or after-commit (got '{point}')."),
        };
        var afterText = Environment.GetEnvironmentVariable(AfterVariable);
        var after = 1;
        if (!string.IsNullOrEmpty(afterText) && (!int.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after < 1))
        {
            throw new InvalidOperationException($"{AfterVariable} must be a positive integer (got '{afterText}').");
        }

        return new TestCrashHook(parsed, after);
    }

    /// <summary>Called at each point; kills the process when armed for it and its count is reached.</summary>
    /// <param name="point">The point reached.</param>
    public void Reached(CrashPoint point)
    {
        if (point != Point || Point == CrashPoint.None)
        {
            return;
        }

        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            // SIGKILL: no shutdown hooks, no flushing, exactly what a power cut leaves behind.
            using var self = Process.GetCurrentProcess();
            self.Kill();
        }
    }
}
