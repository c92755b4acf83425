using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Options;

/// <summary>
/// Refuses keys under <c>Gateway</c> that bind to nothing. The binder ignores them silently, so a typo such as
/// <c>Protcol</c> would leave the default in force without a word — on a weighbridge that is a wrong ticket, not a
/// cosmetic problem. Each unknown key is named in full, with the closest known one.
/// </summary>
internal sealed class UnknownKeyValidator : IValidateOptions<GatewayOptions>
{
    private readonly IConfiguration _configuration;

    public UnknownKeyValidator(IConfiguration configuration)
    {
        _configuration = configuration;
    }

    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        Check(_configuration.GetSection(GatewayOptions.SectionName), typeof(GatewayOptions), errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static void Check(IConfigurationSection section, Type type, List<string> errors)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                var closest = properties.Keys.MinBy(k => Distance(k, child.Key));
                errors.Add($"{child.Path}: is not a known key{(closest is not null && Distance(closest, child.Key) <= 3 ? $"; did you mean {closest}?" : ".")}");
                continue;
            }

            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsLeaf(t) || IsDictionary(t))
            {
                continue;
            }

            if (ElementType(t) is { } element)
            {
                if (!IsLeaf(element))
                {
                    foreach (var item in child.GetChildren())
                    {
                        Check(item, element, errors);
                    }
                }

                continue;
            }

            Check(child, t, errors);
        }
    }

    private static bool IsLeaf(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan) || t == typeof(DateTimeOffset) || t == typeof(byte[]);

    private static bool IsDictionary(Type t) =>
        typeof(IDictionary).IsAssignableFrom(t) || t.GetInterfaces().Append(t).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));

    private static Type? ElementType(Type t)
    {
        if (t.IsArray)
        {
            return t.GetElementType();
        }

        var enumerable = t.GetInterfaces().Append(t).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    private static int Distance(string a, string b)
    {
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        var d = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            d[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var previous = d[0];
            d[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = d[j];
                d[j] = Math.Min(Math.Min(d[j] + 1, d[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }

        return d[b.Length];
    }
}
