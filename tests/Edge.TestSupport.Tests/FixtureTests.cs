using System.Text.Json;
using Edge.TestSupport;
using Xunit;

namespace Edge.TestSupport.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed class FixtureTests
{
    [Fact]
    public async Task Mosquitto_fixture_carries_a_message_between_mosquitto_clients()
    {
        var broker = await SharedMosquitto.GetAsync();
        var topic = $"{TestDirectories.UniqueToken("fx")}/hello";
        using var sub = ChildProcess.Start(Components.MosquittoSub, ["-h", broker.Host, "-p", $"{broker.Port}", "-t", topic, "-C", "1", "-q", "1", "-W", "20"]);
        await Task.Delay(300);
        using var pub = ChildProcess.Start(Components.MosquittoPub, ["-h", broker.Host, "-p", $"{broker.Port}", "-t", topic, "-m", "weigh", "-q", "1"]);
        Assert.True(await sub.WaitForExitAsync(TimeSpan.FromSeconds(20)), sub.Output);
        Assert.Equal("weigh", sub.Output.Trim());
    }

    [Fact]
    public async Task Broker_restarted_on_the_same_port_accepts_clients_again()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        broker.Stop();
        Assert.False(broker.IsRunning);
        await broker.StartAgainAsync();
        using var pub = ChildProcess.Start(Components.MosquittoPub, ["-h", broker.Host, "-p", $"{broker.Port}", "-t", "x", "-m", "y"]);
        Assert.True(await pub.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, pub.ExitCode);
    }

    [Fact]
    public async Task Influx_fixture_gives_each_test_its_own_database_that_answers_queries()
    {
        var influx = await SharedInflux.GetAsync();
        var db1 = await influx.CreateDatabaseAsync();
        var db2 = await influx.CreateDatabaseAsync();
        Assert.NotEqual(db1, db2);
        await influx.WriteAsync(db1, "weight,scale=wb1 kg=12500 1700000000000000000");
        var rows = await influx.QueryRowsAsync(db1, "SELECT kg FROM weight");
        var row = Assert.Single(rows);
        Assert.Equal(12500, row[1].GetDouble());
        Assert.Empty(await influx.QueryRowsAsync(db2, "SELECT * FROM weight"));
    }

    [Fact]
    public async Task Influx_cli_executes_against_the_fixture()
    {
        var influx = await SharedInflux.GetAsync();
        var db = await influx.CreateDatabaseAsync();
        await influx.WriteAsync(db, "count,line=baler1 bales=3i 1700000000000000000");
        using var cli = ChildProcess.Start(Components.RequireProgram("influx", "influxdb-client"), ["-host", "127.0.0.1", "-port", $"{influx.HttpPort}", "-database", db, "-format", "json", "-execute", "SELECT bales FROM count"]);
        Assert.True(await cli.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        using var doc = JsonDocument.Parse(cli.Output);
        Assert.Equal(3, doc.RootElement.GetProperty("results")[0].GetProperty("series")[0].GetProperty("values")[0][1].GetInt32());
    }

    [Fact]
    public void Missing_program_fails_with_the_package_name()
    {
        var ex = Assert.Throws<MissingComponentException>(() => Components.RequireProgram("no-such-program-edge", "edge-imaginary-pkg"));
        Assert.Contains("edge-imaginary-pkg", ex.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposed_child_process_is_reaped()
    {
        var child = ChildProcess.Start("/bin/sleep", ["60"]);
        var pid = child.Id;
        child.Dispose();
        Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal));
    }
}
