using System.Globalization;
using System.Text.Json;
using Edge.Benchmarks;

var outPath = Path.Combine(".bench", "results.json");
var only = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out" when i + 1 < args.Length:
            outPath = args[++i];
            break;
        case "--only" when i + 1 < args.Length:
            only.Add(args[++i]);
            break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'; use --out FILE and --only GROUP");
            return 2;
    }
}

var benchmarks = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IBenchmark).IsAssignableFrom(t))
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .Where(b => only.Count == 0 || only.Contains(b.Group, StringComparer.OrdinalIgnoreCase))
    .OrderBy(b => b.Group, StringComparer.Ordinal)
    .ToList();

var results = new List<BenchResult>();
var failures = 0;
foreach (var b in benchmarks)
{
    Console.Error.WriteLine($"running {b.Group}…");
    try
    {
        results.AddRange(await b.RunAsync(CancellationToken.None));
    }
    catch (Exception ex)
    {
        failures++;
        Console.Error.WriteLine($"benchmark group {b.Group} failed: {ex}");
    }
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
await File.WriteAllTextAsync(outPath, JsonSerializer.Serialize(results, BenchJsonContext.Default.ListBenchResult));

static string F(double? v) => v is null ? "-" : v.Value.ToString(v.Value >= 100 ? "0" : "0.###", CultureInfo.InvariantCulture);
Console.WriteLine($"{"name",-46} {"value",12} {"unit",-12} {"baseline",-28} {"base value",12} {"ratio",8} {"goal",7} met");
foreach (var r in results)
{
    var met = r.MeetsGoal switch { true => "yes", false => "NO", null => "" };
    Console.WriteLine($"{r.Name,-46} {F(r.Value),12} {r.Unit,-12} {r.Baseline ?? "-",-28} {F(r.BaselineValue),12} {F(r.Ratio),8} {r.Goal ?? "",7} {met}");
}

Console.WriteLine($"{results.Count} figures written to {outPath}{(benchmarks.Count == 0 ? " (no benchmarks exist yet)" : string.Empty)}");
return failures == 0 ? 0 : 1;
