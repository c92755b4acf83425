using Edge.Hub.Influx;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Edge.Hub.Tests.Influx;

public class InfluxWriterOptionsTests
{
    private static InfluxWriterOptions Valid() => new() { Url = new Uri("http://127.0.0.1:8086/"), Database = "edge" };

    [Fact]
    public void Defaults_with_url_and_database_are_valid()
    {
        Assert.Empty(InfluxWriterOptionsValidator.Check(Valid()));
    }

    [Theory]
    [InlineData("Influx:Url")]
    [InlineData("Influx:Database")]
    [InlineData("Influx:BatchSize")]
    [InlineData("Influx:BatchInterval")]
    [InlineData("Influx:QueueCapacityLines")]
    [InlineData("Influx:QueueCapacityBytes")]
    [InlineData("Influx:MaxRetryDelay")]
    [InlineData("Influx:InitialRetryDelay")]
    [InlineData("Influx:HeldRetryInterval")]
    [InlineData("Influx:Password")]
    public void Each_invalid_value_is_reported_by_its_exact_key(string key)
    {
        var o = Valid();
        switch (key)
        {
            case "Influx:Url": o.Url = new Uri("ftp://x/"); break;
            case "Influx:Database": o.Database = " "; break;
            case "Influx:BatchSize": o.BatchSize = 0; break;
            case "Influx:BatchInterval": o.BatchInterval = TimeSpan.Zero; break;
            case "Influx:QueueCapacityLines": o.QueueCapacityLines = o.BatchSize - 1; break;
            case "Influx:QueueCapacityBytes": o.QueueCapacityBytes = o.MaxBatchBytes - 1; break;
            case "Influx:MaxRetryDelay": o.MaxRetryDelay = TimeSpan.FromMilliseconds(100); break;
            case "Influx:InitialRetryDelay": o.InitialRetryDelay = TimeSpan.Zero; break;
            case "Influx:HeldRetryInterval": o.HeldRetryInterval = TimeSpan.Zero; break;
            default: o.Username = "writer"; break;
        }

        var failures = InfluxWriterOptionsValidator.Check(o);
        Assert.Contains(failures, f => f.StartsWith(key, StringComparison.Ordinal) || f.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public void Host_refuses_to_start_with_an_invalid_section_and_names_the_key()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Influx:Url"] = "http://127.0.0.1:8086/",
            ["Influx:Database"] = "edge",
            ["Influx:BatchSize"] = "0",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IDeadLetterSink, InMemoryDeadLetterSink>();
        services.AddInfluxWriter(config);
        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<InfluxWriterOptions>>().Value);
        Assert.Contains("Influx:BatchSize", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registration_binds_the_section_and_resolves_one_writer()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Influx:Url"] = "http://127.0.0.1:8086",
            ["Influx:Database"] = "edge",
            ["Influx:RetentionPolicy"] = "one year",
            ["Influx:BatchInterval"] = "00:00:02",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IDeadLetterSink, InMemoryDeadLetterSink>();
        services.AddInfluxWriter(config);
        await using var provider = services.BuildServiceProvider();
        var writer = provider.GetRequiredService<InfluxWriter>();
        Assert.Same(writer, provider.GetRequiredService<IInfluxWriter>());
        Assert.Equal("http://127.0.0.1:8086/write?db=edge&rp=one%20year&precision=ns", writer.WriteUri.AbsoluteUri);
        Assert.Equal(TimeSpan.FromSeconds(2), provider.GetRequiredService<IOptions<InfluxWriterOptions>>().Value.BatchInterval);
    }
}
