using System.Text.Json.Nodes;
using Xunit;

namespace Edge.Contracts.Tests;

public sealed class SchemaValidationTests
{
    public static TheoryData<string> Examples => new(ContractFiles.ExampleNames);

    public static TheoryData<string> RegisterMaps =>
        new(Directory.EnumerateFiles(ContractFiles.RegisterMapsDir, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_is_valid_against_its_json_schema(string example)
    {
        var schema = new MiniJsonSchema(ContractFiles.Schema(ContractFiles.SchemaNameOf(example)));

        var errors = schema.Validate(ContractFiles.ExampleNode(example));

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Theory]
    [MemberData(nameof(RegisterMaps))]
    public void Register_map_is_valid_against_its_json_schema(string file)
    {
        var schema = new MiniJsonSchema(ContractFiles.Schema("register-map"));

        var errors = schema.Validate(JsonNode.Parse(File.ReadAllBytes(Path.Combine(ContractFiles.RegisterMapsDir, file))));

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void Schema_validator_reports_what_is_wrong()
    {
        var schema = new MiniJsonSchema(ContractFiles.Schema("scan-event"));
        var scan = ContractFiles.ExampleNode("scan-event.barcode.json");
        scan["tech"] = "nfc";
        scan.Remove("code");

        var errors = schema.Validate(scan);

        Assert.Contains(errors, e => e.Contains("'code' is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.tech", StringComparison.Ordinal));
    }
}
