using Xunit;

namespace Edge.Contracts.Tests;

public sealed class TopicTemplateTests
{
    [Theory]
    [InlineData(MessageKind.Readings, "edge/v1/hz-plant/baling/gw-bp-01/readings")]
    [InlineData(MessageKind.Scans, "edge/v1/hz-plant/baling/gw-bp-01/scans")]
    [InlineData(MessageKind.Birth, "edge/v1/hz-plant/baling/gw-bp-01/birth")]
    [InlineData(MessageKind.Death, "edge/v1/hz-plant/baling/gw-bp-01/death")]
    [InlineData(MessageKind.Ack, "edge/v1/hz-plant/baling/gw-bp-01/ack")]
    public void Gateway_kind_topic_is_site_area_gateway_kind(MessageKind kind, string expected)
    {
        Assert.Equal(expected, TopicTemplate.ForGateway(kind, "hz-plant", "baling", "gw-bp-01").ToTopic());
    }

    [Theory]
    [InlineData(MessageKind.Health, "edge/v1/hz-plant/baling/gw-bp-01/health/bale-scale-2")]
    [InlineData(MessageKind.Command, "edge/v1/hz-plant/baling/gw-bp-01/cmd/bale-scale-2")]
    public void Per_device_kind_topic_ends_with_the_device(MessageKind kind, string expected)
    {
        Assert.Equal(expected, TopicTemplate.ForGateway(kind, "hz-plant", "baling", "gw-bp-01").WithDevice("bale-scale-2").ToTopic());
    }

    [Fact]
    public void Alert_topic_is_site_alerts_level_id()
    {
        var topic = TopicTemplate.For(MessageKind.Alert).WithSite("hz-plant").WithLevel(AlertLevel.Orange).WithAlertId("inv-7").ToTopic();

        Assert.Equal("edge/v1/hz-plant/alerts/orange/inv-7", topic);
    }

    [Theory]
    [InlineData(MessageKind.Readings, "edge/v1/+/+/+/readings")]
    [InlineData(MessageKind.Health, "edge/v1/+/+/+/health/+")]
    [InlineData(MessageKind.Command, "edge/v1/+/+/+/cmd/+")]
    [InlineData(MessageKind.Alert, "edge/v1/+/alerts/+/+")]
    public void Filter_has_a_single_level_wildcard_for_every_unset_segment(MessageKind kind, string expected)
    {
        Assert.Equal(expected, TopicTemplate.For(kind).ToFilter());
    }

    [Fact]
    public void Filter_keeps_the_segments_that_are_set()
    {
        Assert.Equal("edge/v1/hz-plant/+/gw-bp-01/cmd/+", TopicTemplate.For(MessageKind.Command).WithSite("hz-plant").WithGateway("gw-bp-01").ToFilter());
        Assert.Equal("edge/v1/hz-plant/alerts/red/+", TopicTemplate.For(MessageKind.Alert).WithSite("hz-plant").WithLevel(AlertLevel.Red).ToFilter());
    }

    [Fact]
    public void Gateway_and_site_filters_use_the_multi_level_wildcard()
    {
        Assert.Equal("edge/v1/hz-plant/baling/gw-bp-01/#", TopicTemplate.GatewayFilter("hz-plant", "baling", "gw-bp-01"));
        Assert.Equal("edge/v1/+/+/gw-bp-01/#", TopicTemplate.GatewayFilter(gateway: "gw-bp-01"));
        Assert.Equal("edge/v1/hz-plant/#", TopicTemplate.SiteFilter("hz-plant"));
    }

    [Fact]
    public void Incomplete_template_refuses_to_make_a_topic_and_names_the_missing_segment()
    {
        var template = TopicTemplate.For(MessageKind.Health).WithSite("s").WithArea("a").WithGateway("g");

        Assert.False(template.IsComplete);
        var e = Assert.Throws<InvalidOperationException>(template.ToTopic);
        Assert.Contains("{device}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Templates_are_immutable()
    {
        var any = TopicTemplate.For(MessageKind.Readings);
        var one = any.WithSite("s");

        Assert.Null(any.Site);
        Assert.Equal("s", one.Site);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has/slash")]
    [InlineData("plus+")]
    [InlineData("hash#")]
    [InlineData("white space")]
    [InlineData("中文")]
    public void Invalid_ids_are_refused_as_segments(string id)
    {
        Assert.Throws<ArgumentException>(() => TopicTemplate.For(MessageKind.Readings).WithSite(id));
    }

    [Fact]
    public void A_64_character_id_is_accepted_and_65_is_not()
    {
        Assert.True(ContractIds.IsValid(new string('a', 64)));
        Assert.False(ContractIds.IsValid(new string('a', 65)));
        Assert.True(ContractIds.IsValid("A-z_0.9"));
    }

    [Fact]
    public void Reserved_ids_are_refused()
    {
        Assert.Throws<ArgumentException>(() => TopicTemplate.For(MessageKind.Readings).WithArea("alerts"));
        Assert.Throws<ArgumentException>(() => TopicTemplate.For(MessageKind.Alert).WithAlertId("readings"));
    }

    [Fact]
    public void Segments_that_do_not_belong_to_the_kind_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => TopicTemplate.For(MessageKind.Readings).WithDevice("d"));
        Assert.Throws<InvalidOperationException>(() => TopicTemplate.For(MessageKind.Readings).WithLevel(AlertLevel.Red));
        Assert.Throws<InvalidOperationException>(() => TopicTemplate.For(MessageKind.Alert).WithGateway("g"));
    }

    [Theory]
    [InlineData("edge/v1/hz-plant/baling/gw-bp-01/readings", MessageKind.Readings, null)]
    [InlineData("edge/v1/hz-plant/baling/gw-bp-01/death", MessageKind.Death, null)]
    [InlineData("edge/v1/hz-plant/baling/gw-bp-01/health/bale-scale-2", MessageKind.Health, "bale-scale-2")]
    [InlineData("edge/v1/hz-plant/baling/gw-bp-01/cmd/stack-light-red", MessageKind.Command, "stack-light-red")]
    public void Gateway_topic_parses_back_into_its_parts(string topic, MessageKind kind, string? device)
    {
        Assert.True(TopicTemplate.TryParse(topic, out var parts, out var error), error?.ToString());

        Assert.Equal(new TopicParts(kind, "hz-plant", "baling", "gw-bp-01", device), parts);
        Assert.Equal(topic, parts.ToTopic());
    }

    [Fact]
    public void Alert_topic_parses_back_into_its_parts()
    {
        var parts = TopicTemplate.Parse("edge/v1/hz-plant/alerts/yellow/line-bp1-rejects-0007");

        Assert.Equal(new TopicParts(MessageKind.Alert, "hz-plant", Level: AlertLevel.Yellow, AlertId: "line-bp1-rejects-0007"), parts);
        Assert.True(parts.Rule.Retain);
    }

    [Theory]
    [InlineData("", TopicErrorCode.Empty)]
    [InlineData("factory/v1/s/a/g/readings", TopicErrorCode.WrongRoot)]
    [InlineData("edge/version1/s/a/g/readings", TopicErrorCode.WrongRoot)]
    [InlineData("edge/v2/s/a/g/readings", TopicErrorCode.UnknownVersion)]
    [InlineData("edge/v1/s/a/g", TopicErrorCode.WrongSegmentCount)]
    [InlineData("edge/v1/s/a/g/readings/extra", TopicErrorCode.WrongSegmentCount)]
    [InlineData("edge/v1/s/a/g/health", TopicErrorCode.WrongSegmentCount)]
    [InlineData("edge/v1/s/a/g/telemetry", TopicErrorCode.UnknownKind)]
    [InlineData("edge/v1/s/a/g/alerts", TopicErrorCode.UnknownKind)]
    [InlineData("edge/v1/+/a/g/readings", TopicErrorCode.Wildcard)]
    [InlineData("edge/v1/s/a/#", TopicErrorCode.Wildcard)]
    [InlineData("edge/v1/s//g/readings", TopicErrorCode.InvalidSegment)]
    [InlineData("edge/v1/s/a b/g/readings", TopicErrorCode.InvalidSegment)]
    [InlineData("edge/v1/s/alerts/purple/x1", TopicErrorCode.UnknownLevel)]
    [InlineData("edge/v1/s/alerts/red/scans", TopicErrorCode.InvalidSegment)]
    [InlineData("edge/v1/s/alerts/red", TopicErrorCode.WrongSegmentCount)]
    [InlineData("/edge/v1/s/a/g/readings", TopicErrorCode.WrongRoot)]
    public void Wrong_topic_fails_to_parse_with_a_typed_error(string topic, TopicErrorCode expected)
    {
        Assert.False(TopicTemplate.TryParse(topic, out var parts, out var error));

        Assert.Null(parts);
        Assert.Equal(expected, error.Code);
        Assert.Throws<FormatException>(() => TopicTemplate.Parse(topic));
    }

    [Fact]
    public void Gateway_subscription_filters_never_match_alert_topics()
    {
        // The reservations (area 'alerts', alert ids that are kind names) are what make this hold.
        var alert = TopicTemplate.For(MessageKind.Alert).WithSite("s").WithLevel(AlertLevel.Red).WithAlertId("inv-1").ToTopic();

        foreach (var rule in MessageKindRules.All.Where(r => r.Kind != MessageKind.Alert))
        {
            Assert.False(TopicFilter.Matches(TopicTemplate.For(rule.Kind).ToFilter(), alert), rule.Segment);
        }
    }

    [Fact]
    public void Every_kind_filter_matches_its_own_topics_and_no_other_kinds()
    {
        var topics = MessageKindRules.All.ToDictionary(r => r.Kind, r => r.Kind == MessageKind.Alert
            ? TopicTemplate.For(r.Kind).WithSite("s").WithLevel(AlertLevel.Blue).WithAlertId("a1").ToTopic()
            : (r.HasDevice ? TopicTemplate.ForGateway(r.Kind, "s", "a", "g").WithDevice("d") : TopicTemplate.ForGateway(r.Kind, "s", "a", "g")).ToTopic());

        foreach (var (kind, _) in topics)
        {
            var filter = TopicTemplate.For(kind).ToFilter();
            foreach (var (otherKind, topic) in topics)
            {
                Assert.Equal(kind == otherKind, TopicFilter.Matches(filter, topic));
            }
        }
    }
}
