using Edge.Gateway.Pipeline;
using Edge.Gateway.State;
using Edge.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Gateway.Tests;

public sealed class StateFileTests
{
    [Fact]
    public void Claimed_command_ids_survive_a_restart_and_a_torn_last_record_is_ignored()
    {
        var dir = TestDirectories.Create("ledger");
        var now = DateTimeOffset.UtcNow;
        using (var ledger = new CommandLedger(dir, TimeProvider.System))
        {
            Assert.True(ledger.TryClaim("cmd-1", now.AddHours(1)));
            Assert.True(ledger.TryClaim("cmd-2", now.AddMilliseconds(50)));
            Assert.False(ledger.TryClaim("cmd-1", now.AddHours(1)));
        }

        // A power cut in the middle of the next append leaves half a record.
        File.AppendAllText(Path.Combine(dir, "commands"), "17");
        Thread.Sleep(100);

        using var reopened = new CommandLedger(dir, TimeProvider.System);
        Assert.False(reopened.TryClaim("cmd-1", now.AddHours(1)));
        Assert.True(reopened.TryClaim("cmd-2", now.AddHours(1)));
        Assert.Equal(2, reopened.Count);
    }

    [Fact]
    public void Session_numbers_only_go_up_across_restarts()
    {
        var dir = TestDirectories.Create("session");
        long first;
        using (var a = new SessionCounter(dir))
        {
            first = a.Next();
            Assert.True(a.Next() > first);
        }

        using var b = new SessionCounter(dir);
        Assert.Equal(first + 1, b.Current);
        Assert.True(b.Next() > first + 1);
    }

    [Fact]
    public void Counter_positions_keep_the_newest_record_of_each_counter()
    {
        var dir = TestDirectories.Create("positions");
        using (var p = new CounterPositions(dir, NullLogger.Instance, TimeProvider.System))
        {
            p.Record("bp1", "bale_count", 10, 0, 5);
            p.Record("bp1", "bale_count", 12, 0, 9);
            p.Record("bp1", "bale_count", 11, 0, 7);
            p.Record("pc1", null, 500, 2, 8);
        }

        using var reopened = new CounterPositions(dir, NullLogger.Instance, TimeProvider.System);
        Assert.Equal(new CounterPosition(12, 0, 9), reopened.Get("bp1", "bale_count"));
        Assert.Equal(new CounterPosition(500, 2, 8), reopened.Get("pc1", null));
        Assert.Null(reopened.Get("bp1", "reject_count"));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(dir, "counters")).Length);
    }
}
