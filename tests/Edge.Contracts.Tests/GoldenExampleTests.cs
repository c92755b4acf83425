using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Edge.Contracts.Tests;

public sealed class GoldenExampleTests
{
    public static TheoryData<string> Examples => new(ContractFiles.ExampleNames);

    [Fact]
    public void Every_message_kind_has_at_least_one_example()
    {
        var covered = ContractFiles.ExampleNames.Select(ContractFiles.KindOfExample).ToHashSet();

        Assert.Equal(Enum.GetValues<MessageKind>().ToHashSet(), covered);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_decodes_without_error(string example)
    {
        var ok = ContractCodec.TryDecode(ContractFiles.KindOfExample(example), ContractFiles.Example(example), ContractFiles.Now, out var message, out var error);

        Assert.True(ok, error?.ToString());
        Assert.Equal(ContractFiles.KindOfExample(example), message!.Kind);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_decoded_and_encoded_again_is_the_same_document(string example)
    {
        Assert.True(ContractCodec.TryDecode(ContractFiles.KindOfExample(example), ContractFiles.Example(example), ContractFiles.Now, out var message, out var error), error?.ToString());

        var encoded = JsonNode.Parse(ContractCodec.Encode(message));

        Assert.True(JsonNode.DeepEquals(ContractFiles.ExampleNode(example), encoded),
            $"Round trip changed the document:{Environment.NewLine}{encoded!.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_read_with_the_json_context_directly_encodes_like_the_codec(string example)
    {
        // Code that uses the public JsonSerializerContext instead of the codec must see the same message.
        var kind = ContractFiles.KindOfExample(example);
        var type = MessageKindRules.Get(kind).MessageType;
        var direct = (IContractMessage)JsonSerializer.Deserialize(ContractFiles.Example(example), type, ContractJsonContext.Default)!;
        Assert.True(ContractCodec.TryDecode(kind, ContractFiles.Example(example), ContractFiles.Now, out var viaCodec, out _));

        Assert.Equal(ContractCodec.Encode(viaCodec), ContractCodec.Encode(direct));
    }

    [Fact]
    public void Encoding_writes_the_envelope_first_and_timestamps_in_utc_with_z()
    {
        var scan = new ScanEvent
        {
            GatewayId = "gw-1",
            Seq = 7,
            Ts = new DateTimeOffset(2025, 5, 20, 9, 15, 0, TimeSpan.FromHours(8)),
            ClockSynced = true,
            Device = "scanner-1",
            Station = "bay-3",
            Code = "LOT-1",
            Tech = ScanTech.Barcode,
        };

        var json = System.Text.Encoding.UTF8.GetString(ContractCodec.Encode(scan));

        Assert.Equal(
            """{"schema":"1.0","gatewayId":"gw-1","seq":7,"ts":"2025-05-20T01:15:00Z","clockSynced":true,"replay":false,"device":"scanner-1","station":"bay-3","code":"LOT-1","tech":"barcode"}""",
            json);
    }

    [Fact]
    public void Encoding_keeps_chinese_text_as_utf8_rather_than_escapes()
    {
        Assert.True(ContractCodec.TryDecode<Alert>(ContractFiles.Example("alert.raised.json"), ContractFiles.Now, out var alert, out _));

        var json = System.Text.Encoding.UTF8.GetString(ContractCodec.Encode(alert));

        Assert.Contains("库存可用天数", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_kind_is_written_first_in_each_reading()
    {
        Assert.True(ContractCodec.TryDecode<ReadingBatch>(ContractFiles.Example("reading-batch.line.json"), ContractFiles.Now, out var batch, out _));

        var readings = JsonNode.Parse(ContractCodec.Encode(batch))!["readings"]!.AsArray();

        Assert.All(readings, r => Assert.Equal("kind", r!.AsObject().First().Key));
    }
}
