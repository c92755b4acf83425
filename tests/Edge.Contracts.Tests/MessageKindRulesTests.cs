using Xunit;

namespace Edge.Contracts.Tests;

public sealed class MessageKindRulesTests
{
    [Theory]
    [InlineData(MessageKind.Readings, "readings", false, false)]
    [InlineData(MessageKind.Scans, "scans", false, false)]
    [InlineData(MessageKind.Birth, "birth", true, false)]
    [InlineData(MessageKind.Death, "death", true, false)]
    [InlineData(MessageKind.Health, "health", true, true)]
    [InlineData(MessageKind.Ack, "ack", false, false)]
    [InlineData(MessageKind.Command, "cmd", false, true)]
    [InlineData(MessageKind.Alert, "alerts", true, false)]
    public void Each_kind_has_its_segment_qos_1_and_retain_rule(MessageKind kind, string segment, bool retain, bool hasDevice)
    {
        var rule = MessageKindRules.Get(kind);

        Assert.Equal(segment, rule.Segment);
        Assert.Equal(1, rule.Qos);
        Assert.Equal(retain, rule.Retain);
        Assert.Equal(hasDevice, rule.HasDevice);
    }

    [Fact]
    public void There_is_one_rule_per_kind_in_enum_order()
    {
        Assert.Equal(Enum.GetValues<MessageKind>(), MessageKindRules.All.Select(r => r.Kind));
        Assert.Equal(MessageKindRules.All.Count, MessageKindRules.All.Select(r => r.Segment).Distinct().Count());
    }

    [Fact]
    public void Direction_follows_who_publishes()
    {
        Assert.Equal(MessageDirection.HubToGateway, MessageKindRules.Get(MessageKind.Ack).Direction);
        Assert.Equal(MessageDirection.HubToGateway, MessageKindRules.Get(MessageKind.Command).Direction);
        Assert.Equal(MessageDirection.HubToSubscribers, MessageKindRules.Get(MessageKind.Alert).Direction);
        Assert.All(MessageKindRules.All.Where(r => r.Kind is MessageKind.Readings or MessageKind.Scans or MessageKind.Birth or MessageKind.Death or MessageKind.Health),
            r => Assert.Equal(MessageDirection.GatewayToHub, r.Direction));
    }

    [Fact]
    public void Record_type_maps_back_to_its_kind()
    {
        Assert.All(MessageKindRules.All, rule =>
        {
            Assert.True(MessageKindRules.TryGetByType(rule.MessageType, out var found));
            Assert.Equal(rule.Kind, found.Kind);
        });
        Assert.False(MessageKindRules.TryGetByType(typeof(string), out _));
    }

    [Fact]
    public void Unknown_kind_value_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MessageKindRules.Get((MessageKind)99));
    }
}
