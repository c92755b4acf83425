using Xunit;

namespace Edge.Contracts.Tests;

public sealed class TopicFilterTests
{
    [Theory]
    [InlineData("edge/v1/+/+/+/readings", "edge/v1/s/a/g/readings", true)]
    [InlineData("edge/v1/+/+/+/readings", "edge/v1/s/a/g/scans", false)]
    [InlineData("edge/v1/s/#", "edge/v1/s/a/g/health/d", true)]
    [InlineData("edge/v1/s/#", "edge/v1/s", true)]
    [InlineData("edge/v1/+/+/+/health/+", "edge/v1/s/a/g/health", false)]
    [InlineData("#", "$SYS/broker/uptime", false)]
    [InlineData("+/v1/s", "$share/v1/s", false)]
    [InlineData("edge/v1/s/a/g/readings", "edge/v1/s/a/g/readings", true)]
    public void Filter_matching_follows_mqtt_5(string filter, string topic, bool expected)
    {
        Assert.Equal(expected, TopicFilter.Matches(filter, topic));
    }

    [Theory]
    [InlineData("edge/#/readings")]
    [InlineData("edge/v1/s+")]
    [InlineData("edge/v1/#x")]
    [InlineData("")]
    public void Invalid_filters_are_recognised(string filter)
    {
        Assert.False(TopicFilter.IsValid(filter));
        Assert.Throws<ArgumentException>(() => TopicFilter.Matches(filter, "edge/v1"));
    }

    [Fact]
    public void Shared_subscription_prefixes_the_group()
    {
        var shared = TopicFilter.Shared("hub-ingest", TopicTemplate.For(MessageKind.Readings).ToFilter());

        Assert.Equal("$share/hub-ingest/edge/v1/+/+/+/readings", shared);
        Assert.True(TopicFilter.TryParseShared(shared, out var group, out var filter));
        Assert.Equal("hub-ingest", group);
        Assert.Equal("edge/v1/+/+/+/readings", filter);
    }

    [Theory]
    [InlineData("hub/ingest", "edge/v1/#")]
    [InlineData("hub+", "edge/v1/#")]
    [InlineData("hub", "edge/#/x")]
    [InlineData("hub", "$share/x/edge/#")]
    public void Shared_subscription_refuses_bad_groups_and_filters(string group, string filter)
    {
        Assert.Throws<ArgumentException>(() => TopicFilter.Shared(group, filter));
    }

    [Theory]
    [InlineData("edge/v1/+/+/+/readings")]
    [InlineData("$share/")]
    [InlineData("$share/hub")]
    [InlineData("$share//edge/#")]
    public void Non_shared_subscriptions_do_not_parse_as_shared(string subscription)
    {
        Assert.False(TopicFilter.TryParseShared(subscription, out _, out _));
    }
}
