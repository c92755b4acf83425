namespace Edge.TestSupport;

/// <summary>
/// Every temporary file of a test run lives under one root so that ./run test can reap anything left behind
/// (processes whose command line names the root) even if a test host was killed.
/// </summary>
public static class TestDirectories
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        var root = Environment.GetEnvironmentVariable("EDGE_TEST_ROOT");
        if (string.IsNullOrEmpty(root))
        {
            root = Path.Combine(Path.GetTempPath(), "edge-tests");
        }

        Directory.CreateDirectory(root);
        return root;
    });

    public static string Root => s_root.Value;

    /// <summary>A new, empty directory for one component or test.</summary>
    public static string Create(string purpose)
    {
        var dir = Path.Combine(Root, UniqueToken(purpose));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A short unique token for topic prefixes, database names and client ids.</summary>
    public static string UniqueToken(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
