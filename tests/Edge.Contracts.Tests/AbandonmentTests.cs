using Xunit;

namespace Edge.Contracts.Tests;

/// <summary>The 1.1 abandonment declarations a birth may carry: typed decoding, the rules, and compatibility both ways.</summary>
public sealed class AbandonmentTests
{
    private const string Example = "gateway-birth.abandoned.json";

    [Fact]
    public void Birth_with_declarations_decodes_into_typed_ranges_and_reasons()
    {
        Assert.True(ContractCodec.TryDecode<GatewayBirth>(ContractFiles.Example(Example), ContractFiles.Now, out var birth, out var error), error?.ToString());

        Assert.Equal("1.1", birth.Schema);
        Assert.Equal(2, birth.Abandoned!.Count);
        var lost = birth.Abandoned[0];
        Assert.Equal(153750, lost.Seq);
        Assert.Equal(SeqAbandonment.OutboxCorrupt, lost.Reason);
        Assert.Equal(12, lost.CountSeqs());
        Assert.True(lost.Covers(88190));
        Assert.True(lost.Covers(88201));
        Assert.False(lost.Covers(88189));
        Assert.False(lost.Covers(88202));
        var unused = birth.Abandoned[1];
        Assert.Equal(SeqAbandonment.NeverAssigned, unused.Reason);
        Assert.Null(unused.Note);
        Assert.Equal(153749 - 88214 + 1, unused.CountSeqs());
    }

    [Fact]
    public void A_birth_of_version_1_0_has_no_declarations_and_encodes_without_the_member()
    {
        Assert.True(ContractCodec.TryDecode<GatewayBirth>(ContractFiles.Example("gateway-birth.json"), ContractFiles.Now, out var birth, out _));

        Assert.Null(birth.Abandoned);
        Assert.DoesNotContain("abandoned", System.Text.Encoding.UTF8.GetString(ContractCodec.Encode(birth)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_later_minor_with_a_new_reason_and_unknown_members_is_read()
    {
        // Forward compatibility: reasons are ids, not a closed enum, and readers skip members they do not know.
        var payload = MalformedPayloads.Mutate(Example, n =>
        {
            n["schema"] = "1.7";
            n["abandoned"]![0]!["reason"] = "quota-dropped";
            n["abandoned"]![0]!["priority"] = "low";
        });

        Assert.True(ContractCodec.TryDecode<GatewayBirth>(payload, ContractFiles.Now, out var birth, out var error), error?.ToString());
        Assert.Equal("quota-dropped", birth.Abandoned![0].Reason);
    }

    [Fact]
    public void Validation_refuses_a_declaration_of_seqs_not_below_its_own()
    {
        var birth = new GatewayBirth
        {
            GatewayId = "gw-1",
            Seq = 100,
            Ts = ContractFiles.Now.AddMinutes(-1),
            ClockSynced = true,
            Session = 3,
            Devices = [],
            Abandoned =
            [
                new SeqAbandonment { Seq = 90, Reason = SeqAbandonment.OutboxCorrupt, Ranges = [new SeqRange { From = 80, To = 95 }], Ts = ContractFiles.Now.AddMinutes(-2) },
            ],
        };

        Assert.False(ContractCodec.TryValidate(birth, ContractFiles.Now, out var error));
        Assert.Equal(DecodeErrorCode.InvalidSequence, error.Code);
        Assert.Equal("$.abandoned[0].ranges[0].to", error.Path);

        var fixedUp = birth with { Abandoned = [birth.Abandoned[0] with { Ranges = [new SeqRange { From = 80, To = 89 }] }] };
        Assert.True(ContractCodec.TryValidate(fixedUp, ContractFiles.Now, out error), error?.ToString());
    }

    [Fact]
    public void This_library_knows_minor_1_and_writes_1_0_where_the_shape_did_not_change()
    {
        Assert.Equal(1, ContractInfo.SchemaMinor);
        Assert.Equal("1.1", ContractInfo.LatestSchemaVersion);
        Assert.Equal("1.0", ContractInfo.SchemaVersion);
        Assert.Equal("1.0", new GatewayBirth { GatewayId = "g", Seq = 0, Ts = ContractFiles.Now, ClockSynced = true, Session = 1, Devices = [] }.Schema);
    }
}
