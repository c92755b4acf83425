using System.Text.Json.Nodes;
using Xunit;

namespace Edge.Contracts.Tests;

public sealed class MalformedPayloadTests
{
    public static TheoryData<string> Cases => new(MalformedPayloads.All.Keys.Order(StringComparer.Ordinal));

    public static TheoryData<string> CasesTheSchemaCatches =>
        new(MalformedPayloads.All.Where(c => c.Value.SchemaRejects).Select(c => c.Key).Order(StringComparer.Ordinal));

    [Fact]
    public void The_catalogue_has_at_least_thirty_malformed_payloads()
    {
        Assert.True(MalformedPayloads.All.Count >= 30, $"Only {MalformedPayloads.All.Count} cases.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Malformed_payload_is_rejected_with_the_right_code(string name)
    {
        var @case = MalformedPayloads.All[name];

        var ok = ContractCodec.TryDecode(@case.Kind, @case.Payload, ContractFiles.Now, out var message, out var error);

        Assert.False(ok);
        Assert.Null(message);
        Assert.NotNull(error);
        Assert.True(@case.Expected == error.Code, $"Expected {@case.Expected}, got {error}");
        if (@case.Path is not null)
        {
            Assert.Equal(@case.Path, error.Path);
        }

        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
    }

    [Theory]
    [MemberData(nameof(CasesTheSchemaCatches))]
    public void Malformed_payload_is_rejected_by_the_json_schema_too(string name)
    {
        // Firmware teams validate against the schema files; where a rule can be written in JSON Schema, it is.
        var @case = MalformedPayloads.All[name];
        var schemaName = MessageKindRules.Get(@case.Kind).MessageType.Name switch
        {
            nameof(ReadingBatch) => "reading-batch",
            nameof(ScanEvent) => "scan-event",
            nameof(GatewayBirth) => "gateway-birth",
            nameof(GatewayDeath) => "gateway-death",
            nameof(DeviceHealth) => "device-health",
            nameof(Acknowledgement) => "acknowledgement",
            nameof(Command) => "command",
            _ => "alert",
        };

        var errors = new MiniJsonSchema(ContractFiles.Schema(schemaName)).Validate(JsonNode.Parse(@case.Payload));

        Assert.NotEmpty(errors);
    }
}
