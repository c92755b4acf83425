using System.Text.Json.Nodes;

namespace Edge.Contracts.Tests;

/// <summary>The contract's JSON files as copied to the test output (see the .csproj).</summary>
internal static class ContractFiles
{
    /// <summary>The clock every decode in these tests runs against; all examples lie before it.</summary>
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static string Root => Path.Combine(AppContext.BaseDirectory, "contracts");

    public static string ExamplesDir => Path.Combine(Root, "examples");

    public static string SchemasDir => Path.Combine(Root, "schemas");

    public static string RegisterMapsDir => Path.Combine(Root, "register-maps");

    public static IEnumerable<string> ExampleNames =>
        Directory.EnumerateFiles(ExamplesDir, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static string ExamplePath(string name) => Path.Combine(ExamplesDir, name);

    public static byte[] Example(string name) => File.ReadAllBytes(ExamplePath(name));

    public static JsonObject ExampleNode(string name) => (JsonObject)JsonNode.Parse(Example(name))!;

    public static JsonObject Schema(string name) =>
        (JsonObject)JsonNode.Parse(File.ReadAllBytes(Path.Combine(SchemasDir, name + ".v1.schema.json")))!;

    /// <summary>The message kind of an example, from its file name: <c>reading-batch.weight.json</c> → Readings.</summary>
    public static MessageKind KindOfExample(string name) => SchemaNameOf(name) switch
    {
        "reading-batch" => MessageKind.Readings,
        "scan-event" => MessageKind.Scans,
        "gateway-birth" => MessageKind.Birth,
        "gateway-death" => MessageKind.Death,
        "device-health" => MessageKind.Health,
        "acknowledgement" => MessageKind.Ack,
        "command" => MessageKind.Command,
        "alert" => MessageKind.Alert,
        var other => throw new InvalidOperationException($"No message kind for example '{other}'."),
    };

    /// <summary>The schema an example follows: the file name up to the first dot.</summary>
    public static string SchemaNameOf(string exampleName) => exampleName[..exampleName.IndexOf('.', StringComparison.Ordinal)];
}
