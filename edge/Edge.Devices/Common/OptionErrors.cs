using System.Globalization;

namespace Edge.Devices;

/// <summary>Collects validation messages that name the exact configuration key.</summary>
internal sealed class OptionErrors
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors => _errors;

    public static string Key(string path, string name) =>
        string.IsNullOrEmpty(path) ? name : path + ":" + name;

    public void Add(string path, string name, string message) =>
        _errors.Add(Key(path, name) + ": " + message);

    public void AddRange(IEnumerable<string> errors) => _errors.AddRange(errors);

    public void RequireId(string path, string name, string? value)
    {
        if (!Contracts.ContractIds.IsValid(value))
        {
            Add(path, name, "must be 1-64 characters of [A-Za-z0-9_.-]; got '" + value + "'");
        }
    }

    public void RequirePositive(string path, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            Add(path, name, "must be a positive duration (e.g. 00:00:01); got " + value.ToString("c", CultureInfo.InvariantCulture));
        }
    }

    public void RequireNonNegative(string path, string name, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            Add(path, name, "must not be negative; got " + value.ToString("c", CultureInfo.InvariantCulture));
        }
    }

    public void RequireRange(string path, string name, double value, double min, double max)
    {
        if (!double.IsFinite(value) || value < min || value > max)
        {
            Add(path, name, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}; got {value}"));
        }
    }

    public void RequireRange(string path, string name, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            Add(path, name, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}; got {value}"));
        }
    }

    public void RequireDefined<TEnum>(string path, string name, TEnum value)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            Add(path, name, "must be one of " + string.Join(", ", Enum.GetNames<TEnum>()) + "; got " + value);
        }
    }
}
