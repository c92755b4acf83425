namespace Edge.Mqtt.Tests;

public sealed class TopicFilterTests
{
    [Fact]
    public void Shared_subscription_filter_is_built_from_group_and_filter() =>
        Assert.Equal("$share/hub-ingest/plant/+/readings/#", MqttTopicFilter.Shared("hub-ingest", "plant/+/readings/#"));

    [Theory]
    [InlineData("a/b")]
    [InlineData("g+")]
    [InlineData("#")]
    public void Shared_subscription_group_with_separator_or_wildcard_is_rejected(string group) =>
        Assert.Throws<ArgumentException>(() => MqttTopicFilter.Shared(group, "x/#"));

    [Theory]
    [InlineData("plant/1/scale", true)]
    [InlineData("plant/+/scale", false)]
    [InlineData("plant/#", false)]
    [InlineData("", false)]
    public void Topic_names_must_not_contain_wildcards(string topic, bool valid) => Assert.Equal(valid, MqttTopicFilter.IsValidTopicName(topic));

    [Theory]
    [InlineData("plant/+/scale/#", true)]
    [InlineData("#", true)]
    [InlineData("+", true)]
    [InlineData("plant/#/x", false)]
    [InlineData("plant/sc#", false)]
    [InlineData("plant/a+", false)]
    public void Filters_follow_the_wildcard_rules(string filter, bool valid) => Assert.Equal(valid, MqttTopicFilter.IsValidFilter(filter));

    [Fact]
    public async Task Publishing_to_a_wildcard_topic_is_rejected_before_reaching_the_broker()
    {
        await using var client = new MqttClient(new MqttClientOptions { ClientId = "x" });
        await Assert.ThrowsAsync<ArgumentException>(() => client.PublishAsync("plant/+/x", ReadOnlyMemory<byte>.Empty));
    }
}
