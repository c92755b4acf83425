using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Edge.Contracts.RegisterMaps;
using Xunit;

namespace Edge.Contracts.Tests;

/// <summary>
/// The C# records and the JSON Schema files must describe the same members. The C# side is read from the
/// source-generated metadata (what the serializer really writes), the schema side from the files as committed;
/// both directions, nested types, the required lists, JSON types and enum values.
/// </summary>
public sealed class SchemaDriftTests
{
    public static TheoryData<string, Type> SchemaTypes => new()
    {
        { "reading-batch", typeof(ReadingBatch) },
        { "scan-event", typeof(ScanEvent) },
        { "gateway-birth", typeof(GatewayBirth) },
        { "gateway-death", typeof(GatewayDeath) },
        { "device-health", typeof(DeviceHealth) },
        { "acknowledgement", typeof(Acknowledgement) },
        { "command", typeof(Command) },
        { "alert", typeof(Alert) },
        { "register-map", typeof(RegisterMap) },
    };

    [Fact]
    public void Every_schema_file_is_paired_with_a_record()
    {
        var files = Directory.EnumerateFiles(ContractFiles.SchemasDir, "*.v1.schema.json")
            .Select(f => Path.GetFileName(f).Replace(".v1.schema.json", string.Empty, StringComparison.Ordinal))
            .ToHashSet();

        Assert.Equal(SchemaTypes.Select(row => (string)row[0]).ToHashSet(), files);
    }

    [Fact]
    public void Every_message_kind_has_a_schema()
    {
        var paired = SchemaTypes.Select(row => (Type)row[1]).ToHashSet();

        Assert.All(MessageKindRules.All, rule => Assert.Contains(rule.MessageType, paired));
    }

    [Theory]
    [MemberData(nameof(SchemaTypes))]
    public void Schema_is_draft_2020_12_with_an_id_and_a_title(string schemaName, Type type)
    {
        var schema = ContractFiles.Schema(schemaName);

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)schema["$schema"]);
        Assert.Equal($"urn:edge:contracts:{schemaName}:v1", (string?)schema["$id"]);
        Assert.Equal(type.Name, (string?)schema["title"]);
    }

    [Theory]
    [MemberData(nameof(SchemaTypes))]
    public void Record_and_schema_have_the_same_members_types_and_required_lists(string schemaName, Type type)
    {
        var schema = ContractFiles.Schema(schemaName);
        var problems = new List<string>();

        new Comparer(schema, problems).CompareObject(Info(type), schema, type.Name, discriminator: null);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Drift_check_notices_a_member_missing_from_the_schema()
    {
        // The check itself must bite: remove one member from a copy of a schema and expect a complaint.
        var schema = ContractFiles.Schema("scan-event");
        schema["properties"]!.AsObject().Remove("symbology");
        var problems = new List<string>();

        new Comparer(schema, problems).CompareObject(Info(typeof(ScanEvent)), schema, "ScanEvent", null);

        Assert.Contains(problems, p => p.Contains("symbology", StringComparison.Ordinal));
    }

    [Fact]
    public void Drift_check_notices_a_wrong_required_list_in_a_nested_reading()
    {
        var schema = ContractFiles.Schema("reading-batch");
        var required = schema["$defs"]!["counterReading"]!["required"]!.AsArray();
        required.Remove(required.Single(n => (string?)n == "raw"));
        var problems = new List<string>();

        new Comparer(schema, problems).CompareObject(Info(typeof(ReadingBatch)), schema, "ReadingBatch", null);

        Assert.Contains(problems, p => p.Contains("<counter>.raw", StringComparison.Ordinal));
    }

    private static JsonTypeInfo Info(Type type) =>
        ContractJsonContext.Default.GetTypeInfo(type) ?? throw new InvalidOperationException($"{type} is not in the JSON context.");

    private sealed class Comparer(JsonObject root, List<string> problems)
    {
        public void CompareObject(JsonTypeInfo info, JsonObject node, string path, string? discriminator)
        {
            node = Resolve(node);
            if (info.PolymorphismOptions is { } polymorphism)
            {
                ComparePolymorphic(polymorphism, node, path);
                return;
            }

            if ((string?)node["type"] != "object")
            {
                problems.Add($"{path}: schema type is '{node["type"]}', expected object");
            }

            var schemaProperties = node["properties"]?.AsObject() ?? [];
            var schemaRequired = (node["required"]?.AsArray() ?? []).Select(n => (string)n!).ToHashSet();
            var schemaNames = schemaProperties.Select(p => p.Key).Where(k => k != discriminator).ToHashSet();
            // [JsonIgnore] members stay in the metadata without accessors; only serialized ones are on the wire.
            var csharp = info.Properties.Where(p => p.Get is not null).ToDictionary(p => p.Name);

            if (discriminator is not null && !schemaRequired.Contains(discriminator))
            {
                problems.Add($"{path}.{discriminator}: the discriminator must be required");
            }

            foreach (var name in csharp.Keys.Except(schemaNames))
            {
                problems.Add($"{path}.{name}: in the C# record but not in the schema");
            }

            foreach (var name in schemaNames.Except(csharp.Keys))
            {
                problems.Add($"{path}.{name}: in the schema but not in the C# record");
            }

            foreach (var name in schemaRequired.Where(r => !schemaProperties.ContainsKey(r)))
            {
                problems.Add($"{path}.{name}: required by the schema but not among its properties");
            }

            foreach (var (name, property) in csharp)
            {
                if (!schemaProperties.TryGetPropertyValue(name, out var propertySchema) || propertySchema is not JsonObject propertyNode)
                {
                    continue;
                }

                var memberPath = $"{path}.{name}";
                if (property.IsRequired != schemaRequired.Contains(name))
                {
                    problems.Add($"{memberPath}: required in {(property.IsRequired ? "C#" : "the schema")} only");
                }

                var nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null || property.IsGetNullable;
                if (property.IsRequired == nullable)
                {
                    problems.Add($"{memberPath}: a required member must be non-nullable in C# and an optional one nullable");
                }

                CompareValue(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, propertyNode, memberPath);
            }
        }

        private void ComparePolymorphic(JsonPolymorphismOptions polymorphism, JsonObject node, string path)
        {
            var name = polymorphism.TypeDiscriminatorPropertyName;
            var branches = (node["oneOf"]?.AsArray() ?? []).Select(b => Resolve(b!.AsObject())).ToList();
            var byDiscriminator = branches.ToDictionary(b => (string?)b["properties"]?[name]?["const"] ?? "(none)");

            foreach (var derived in polymorphism.DerivedTypes)
            {
                var value = (string)derived.TypeDiscriminator!;
                if (!byDiscriminator.Remove(value, out var branch))
                {
                    problems.Add($"{path}: no oneOf branch with {name} = '{value}'");
                    continue;
                }

                CompareObject(Info(derived.DerivedType), branch, $"{path}<{value}>", name);
            }

            foreach (var extra in byDiscriminator.Keys)
            {
                problems.Add($"{path}: oneOf branch with {name} = '{extra}' has no C# type");
            }
        }

        private void CompareValue(Type type, JsonObject node, string path)
        {
            node = Resolve(node);
            var schemaType = (string?)node["type"];
            if (type.IsEnum)
            {
                var wire = Enum.GetValues(type).Cast<object>()
                    .Select(v => JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(v, type, ContractJsonContext.Default), ContractJsonContext.Default.String)!)
                    .ToHashSet();
                var listed = (node["enum"]?.AsArray() ?? []).Select(n => n!.GetValue<string>()).ToHashSet();
                if (!wire.SetEquals(listed))
                {
                    problems.Add($"{path}: enum [{string.Join(",", listed)}] in the schema, [{string.Join(",", wire)}] in C#");
                }

                return;
            }

            if (type == typeof(string) || type == typeof(DateTimeOffset))
            {
                Expect(path, schemaType, "string");
                if (type == typeof(DateTimeOffset) && (string?)node["format"] != "date-time")
                {
                    problems.Add($"{path}: a timestamp must have format date-time");
                }
            }
            else if (type == typeof(int) || type == typeof(long) || type == typeof(ulong))
            {
                // An integer enumeration such as width: [16, 32, 64] needs no "type".
                if (!(schemaType is null && node["enum"] is JsonArray))
                {
                    Expect(path, schemaType, "integer");
                }
            }
            else if (type == typeof(double))
            {
                Expect(path, schemaType, "number");
            }
            else if (type == typeof(bool))
            {
                Expect(path, schemaType, "boolean");
            }
            else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            {
                Expect(path, schemaType, "array");
                if (node["items"] is JsonObject items)
                {
                    CompareValue(type.GetGenericArguments()[0], items, path + "[]");
                }
                else
                {
                    problems.Add($"{path}: an array schema needs items");
                }
            }
            else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
            {
                Expect(path, schemaType, "object");
            }
            else
            {
                CompareObject(Info(type), node, path, discriminator: null);
            }
        }

        private void Expect(string path, string? actual, string expected)
        {
            if (actual != expected)
            {
                problems.Add($"{path}: schema type '{actual}', C# needs '{expected}'");
            }
        }

        private JsonObject Resolve(JsonObject node)
        {
            while (node["$ref"] is JsonValue reference)
            {
                var pointer = (string)reference!;
                const string prefix = "#/$defs/";
                if (!pointer.StartsWith(prefix, StringComparison.Ordinal) || root["$defs"]?[pointer[prefix.Length..]] is not JsonObject target)
                {
                    problems.Add($"unresolvable $ref '{pointer}'");
                    return [];
                }

                node = target;
            }

            return node;
        }
    }
}
