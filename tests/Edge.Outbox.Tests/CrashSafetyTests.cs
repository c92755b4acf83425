using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Edge.TestSupport;
using Xunit.Abstractions;
using static Edge.Outbox.Tests.OutboxTestSupport;

namespace Edge.Outbox.Tests;

/// <summary>
/// The core promise under SIGKILL: a child process appends as fast as it can and prints every seq the moment its
/// append returned; we kill it at random points 20 times, restarting it each time. Afterwards every printed seq is
/// in the database exactly once with exactly its payload (or was acknowledged), the seqs are gap-free and no seq was
/// ever handed out twice. SIGKILL leaves the kernel's page cache intact, so this proves transaction atomicity and
/// recovery, not the fsync ordering a power cut needs (that rests on synchronous=FULL, see the README).
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Kills = 20;
    private const int Producers = 8;

    [Fact]
    [Trait(Traits.Category, Traits.Integration)]
    public async Task Every_seq_printed_as_accepted_survives_twenty_SIGKILLs_exactly_once_and_gap_free()
    {
        var directory = TestDirectories.Create("crash");
        var db = Path.Combine(directory, "outbox.db");
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}");

        var accepted = new Dictionary<long, string>();
        long maxAckRequested = 0;
        long maxAckConfirmed = 0;
        for (var run = 0; run < Kills; run++)
        {
            var lines = await RunUntilKilledAsync(db, run, TimeSpan.FromMilliseconds(random.Next(30, 400)));
            var ready = lines.First(l => l.StartsWith("READY ", StringComparison.Ordinal));
            var lastAtOpen = long.Parse(ready[6..], CultureInfo.InvariantCulture);

            // Everything promised before is committed, so the reopened outbox starts at or above it.
            Assert.True(accepted.Count == 0 || lastAtOpen >= accepted.Keys.Max(), $"run {run}: opened at {lastAtOpen}, below an accepted seq");
            var printedThisRun = 0;
            foreach (var line in lines)
            {
                var parts = line.Split(' ');
                switch (parts[0])
                {
                    case "A":
                        var seq = long.Parse(parts[1], CultureInfo.InvariantCulture);
                        Assert.True(seq > lastAtOpen, $"run {run}: seq {seq} handed out again (opened at {lastAtOpen})");
                        Assert.True(accepted.TryAdd(seq, parts[2]), $"run {run}: seq {seq} accepted twice ({accepted.GetValueOrDefault(seq)} and {parts[2]})");
                        printedThisRun++;
                        break;
                    case "R":
                        maxAckRequested = Math.Max(maxAckRequested, long.Parse(parts[1], CultureInfo.InvariantCulture));
                        break;
                    case "K":
                        maxAckConfirmed = Math.Max(maxAckConfirmed, long.Parse(parts[1], CultureInfo.InvariantCulture));
                        break;
                }
            }

            output.WriteLine($"run {run}: opened at {lastAtOpen}, {printedThisRun} accepted before SIGKILL");
        }

        Assert.True(accepted.Count > 1000, $"only {accepted.Count} appends were accepted; the test would prove little");
        Assert.True(maxAckConfirmed > 0, "no acknowledgement ever completed");

        // The hub lags 5000 behind, so most promises are checked against rows still stored, the rest against deletion.
        Assert.True(accepted.Keys.Count(s => s > maxAckRequested) > 1000, "too few accepted seqs remain to check presence");

        // What SQLite itself recovers from the files the last SIGKILL left behind.
        var snapshot = Inspect(db);
        Assert.Equal("ok", snapshot.Integrity);
        var rows = snapshot.Rows;
        Assert.NotEmpty(rows);
        var first = rows.Keys.First();
        var last = rows.Keys.Last();
        Assert.Equal(last - first + 1, rows.Count);
        Assert.Equal(snapshot.LastSeq, last);
        Assert.True(first <= maxAckRequested + 1, $"items {maxAckRequested + 1}..{first - 1} are missing without an acknowledgement");

        var present = 0;
        foreach (var (seq, payload) in accepted)
        {
            if (seq > maxAckRequested)
            {
                Assert.True(rows.ContainsKey(seq), $"accepted seq {seq} ({payload}) is gone");
                Assert.Equal(payload, snapshot.PayloadText(seq));
                present++;
            }
            else if (seq <= maxAckConfirmed)
            {
                Assert.False(rows.ContainsKey(seq), $"acknowledged seq {seq} is still there");
            }
        }

        // Rows nobody printed: committed, then killed before the print. At most one in flight per producer per kill.
        var unprinted = rows.Keys.Count(s => s > maxAckRequested && !accepted.ContainsKey(s));
        Assert.True(unprinted <= Producers * Kills, $"{unprinted} rows were never reported as accepted");
        Assert.Empty(Directory.GetFiles(directory, "*.corrupt-*"));

        // And the outbox itself opens it cleanly (quick_check) and continues the sequence.
        await using (var outbox = await OpenAsync(new OutboxOptions { DatabasePath = db }))
        {
            Assert.Equal(last, outbox.LastSeq);
            Assert.Equal(last + 1, await outbox.AppendAsync(Item("after the storm")));
        }

        output.WriteLine($"{accepted.Count} accepted, {present} checked present, {unprinted} committed-but-unreported, acks requested through {maxAckRequested}, confirmed through {maxAckConfirmed}, last seq {last}");
    }

    private static async Task<List<string>> RunUntilKilledAsync(string db, int run, TimeSpan killAfter)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])[WriterDll(), "--db", db, "--run", run.ToString(CultureInfo.InvariantCulture), "--producers", Producers.ToString(CultureInfo.InvariantCulture), "--ack-lag", "5000"])
        {
            psi.ArgumentList.Add(a);
        }

        var lines = new ConcurrentQueue<string>();
        var errors = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Kill only once appends are flowing, at a random point after that.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!lines.Any(l => l.StartsWith("A ", StringComparison.Ordinal)))
            {
                Assert.False(process.HasExited, $"writer exited early: {errors}");
                Assert.True(DateTime.UtcNow < deadline, $"writer accepted nothing within 30 s: {errors}");
                await Task.Delay(5);
            }

            await Task.Delay(killAfter);
            process.Kill(entireProcessTree: false);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

            // Returns once the process is gone and both pipes reached end of file: every line it wrote is in.
            await process.WaitForExitAsync(cts.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(10_000);
            }
        }

        return [.. lines];
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        return Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? self
            : Components.RequireProgram("dotnet", "dotnet-sdk-10.0");
    }

    private static string WriterDll()
    {
        // Test output: tests/Edge.Outbox.Tests/bin/<Configuration>/<tfm>/; the writer builds beside it in its own bin.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        for (var dir = testOutput; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Edge.Outbox.Tests.Writer", "bin", configuration, tfm, "Edge.Outbox.Tests.Writer.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"Edge.Outbox.Tests.Writer.dll ({configuration}/{tfm}) not found; build tests/Edge.Outbox.Tests (it builds the writer).");
    }
}
