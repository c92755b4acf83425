using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Edge.Contracts.Tests;

/// <summary>
/// A small JSON Schema (draft 2020-12) validator for the keywords our schema files use: $ref to local $defs,
/// type, properties, required, additionalProperties, propertyNames, minProperties, items, minItems, maxItems,
/// enum, const, pattern, minLength, maxLength, minimum, maximum, exclusiveMinimum, oneOf, allOf, not,
/// if/then/else. Unknown keywords fail loudly so a schema cannot silently use something unchecked here.
/// No validator package is available offline, and this much is enough to keep the files honest.
/// </summary>
internal sealed class MiniJsonSchema(JsonObject root)
{
    private static readonly HashSet<string> s_annotations =
        ["$schema", "$id", "$defs", "title", "description", "format"];

    public List<string> Validate(JsonNode? instance)
    {
        var errors = new List<string>();
        Check(root, instance, "$", errors);
        return errors;
    }

    private bool IsValid(JsonObject schema, JsonNode? instance) => Check(schema, instance, "$", null);

    /// <summary>Checks <paramref name="instance"/>; records problems in <paramref name="errors"/> when given.</summary>
    private bool Check(JsonObject schema, JsonNode? instance, string path, List<string>? errors)
    {
        var ok = true;
        void Fail(string message)
        {
            ok = false;
            errors?.Add($"{path}: {message}");
        }

        foreach (var (keyword, value) in schema)
        {
            switch (keyword)
            {
                case "$ref":
                    var target = Resolve((string)value!);
                    if (!Check(target, instance, path, errors))
                    {
                        ok = false;
                    }

                    break;
                case "type":
                    if (!HasType(instance, (string)value!))
                    {
                        Fail($"is not of type {value}");
                    }

                    break;
                case "enum":
                    if (!value!.AsArray().Any(v => JsonNode.DeepEquals(v, instance)))
                    {
                        Fail($"{instance?.ToJsonString()} is not in {value.ToJsonString()}");
                    }

                    break;
                case "const":
                    if (!JsonNode.DeepEquals(value, instance))
                    {
                        Fail($"{instance?.ToJsonString()} is not {value!.ToJsonString()}");
                    }

                    break;
                case "pattern":
                    if (instance is JsonValue pv && pv.TryGetValue<string>(out var text) && !Regex.IsMatch(text, (string)value!))
                    {
                        Fail($"'{text}' does not match {value}");
                    }

                    break;
                case "minLength" or "maxLength":
                    if (instance is JsonValue lv && lv.TryGetValue<string>(out var s))
                    {
                        var length = s.EnumerateRunes().Count();
                        var limit = (int)value!;
                        if (keyword == "minLength" ? length < limit : length > limit)
                        {
                            Fail($"length {length} breaks {keyword} {limit}");
                        }
                    }

                    break;
                case "minimum" or "maximum" or "exclusiveMinimum":
                    if (instance is JsonValue nv && nv.GetValueKind() == JsonValueKind.Number)
                    {
                        var number = ToNumber(nv.ToJsonString());
                        var bound = ToNumber(value!.ToJsonString());
                        var broken = keyword switch
                        {
                            "minimum" => number < bound,
                            "maximum" => number > bound,
                            _ => number <= bound,
                        };
                        if (broken)
                        {
                            Fail($"{number} breaks {keyword} {bound}");
                        }
                    }

                    break;
                case "required":
                    if (instance is JsonObject ro)
                    {
                        foreach (var name in value!.AsArray().Select(n => (string)n!).Where(n => !ro.ContainsKey(n)))
                        {
                            Fail($"'{name}' is required");
                        }
                    }

                    break;
                case "properties":
                    if (instance is JsonObject po)
                    {
                        foreach (var (name, sub) in value!.AsObject())
                        {
                            if (po.TryGetPropertyValue(name, out var member) && !Check(sub!.AsObject(), member, $"{path}.{name}", errors))
                            {
                                ok = false;
                            }
                        }
                    }

                    break;
                case "additionalProperties":
                    if (instance is JsonObject ao)
                    {
                        var declared = schema["properties"]?.AsObject().Select(p => p.Key).ToHashSet() ?? [];
                        foreach (var (name, member) in ao.Where(p => !declared.Contains(p.Key)))
                        {
                            var allowed = value is JsonObject sub ? Check(sub, member, $"{path}.{name}", errors) : value!.GetValue<bool>();
                            if (!allowed)
                            {
                                Fail($"'{name}' is not allowed");
                            }
                        }
                    }

                    break;
                case "propertyNames":
                    if (instance is JsonObject no)
                    {
                        foreach (var name in no.Select(p => p.Key).Where(n => !IsValid(value!.AsObject(), JsonValue.Create(n))))
                        {
                            Fail($"member name '{name}' is not allowed");
                        }
                    }

                    break;
                case "minProperties":
                    if (instance is JsonObject mo && mo.Count < (int)value!)
                    {
                        Fail($"has fewer than {value} members");
                    }

                    break;
                case "items":
                    if (instance is JsonArray ia)
                    {
                        for (var i = 0; i < ia.Count; i++)
                        {
                            if (!Check(value!.AsObject(), ia[i], $"{path}[{i}]", errors))
                            {
                                ok = false;
                            }
                        }
                    }

                    break;
                case "minItems" or "maxItems":
                    if (instance is JsonArray ca && (keyword == "minItems" ? ca.Count < (int)value! : ca.Count > (int)value!))
                    {
                        Fail($"{ca.Count} items break {keyword} {value}");
                    }

                    break;
                case "oneOf":
                    var matches = value!.AsArray().Count(b => IsValid(b!.AsObject(), instance));
                    if (matches != 1)
                    {
                        Fail($"matches {matches} oneOf branches, not exactly 1");
                    }

                    break;
                case "allOf":
                    foreach (var branch in value!.AsArray())
                    {
                        if (!Check(branch!.AsObject(), instance, path, errors))
                        {
                            ok = false;
                        }
                    }

                    break;
                case "not":
                    if (IsValid(value!.AsObject(), instance))
                    {
                        Fail($"must not match {value.ToJsonString()}");
                    }

                    break;
                case "if":
                    var branchName = IsValid(value!.AsObject(), instance) ? "then" : "else";
                    if (schema[branchName] is JsonObject chosen && !Check(chosen, instance, path, errors))
                    {
                        ok = false;
                    }

                    break;
                case "then" or "else":
                    break;
                default:
                    if (!s_annotations.Contains(keyword))
                    {
                        throw new NotSupportedException($"Keyword '{keyword}' is not supported by {nameof(MiniJsonSchema)}.");
                    }

                    break;
            }
        }

        return ok;
    }

    private JsonObject Resolve(string pointer)
    {
        const string prefix = "#/$defs/";
        return pointer.StartsWith(prefix, StringComparison.Ordinal) && root["$defs"]?[pointer[prefix.Length..]] is JsonObject target
            ? target
            : throw new NotSupportedException($"Cannot resolve $ref '{pointer}'.");
    }

    private static bool HasType(JsonNode? instance, string type) => type switch
    {
        "object" => instance is JsonObject,
        "array" => instance is JsonArray,
        "string" => instance is JsonValue v && v.GetValueKind() == JsonValueKind.String,
        "boolean" => instance is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "number" => instance is JsonValue v && v.GetValueKind() == JsonValueKind.Number,
        "integer" => instance is JsonValue v && v.GetValueKind() == JsonValueKind.Number && IsInteger(v),
        "null" => instance is null,
        _ => throw new NotSupportedException($"Type '{type}' is not supported."),
    };

    private static bool IsInteger(JsonValue value)
    {
        var number = ToNumber(value.ToJsonString());
        return number == Math.Floor(number);
    }

    /// <summary>A JSON number as a double; exact enough for bounds, and never throws (1e400 is infinity).</summary>
    private static double ToNumber(string json) =>
        double.Parse(json, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
}
