namespace Edge.Devices.Scales;

/// <summary>A unit an indicator may report weights in.</summary>
public enum WeightUnit
{
    /// <summary>Kilogram.</summary>
    Kilogram,

    /// <summary>Gram.</summary>
    Gram,

    /// <summary>Metric tonne (1000 kg).</summary>
    Tonne,

    /// <summary>Avoirdupois pound (0.45359237 kg exactly).</summary>
    Pound,
}

/// <summary>Conversions of indicator units to kilograms.</summary>
public static class WeightUnits
{
    /// <summary>Kilograms per international avoirdupois pound, exact by definition (1959 agreement).</summary>
    public const double KilogramsPerPound = 0.45359237;

    /// <summary>The factor that turns a value in <paramref name="unit"/> into kilograms.</summary>
    /// <param name="unit">The unit.</param>
    /// <returns>The factor.</returns>
    public static double ToKilograms(WeightUnit unit) => unit switch
    {
        WeightUnit.Kilogram => 1.0,
        WeightUnit.Gram => 0.001,
        WeightUnit.Tonne => 1000.0,
        WeightUnit.Pound => KilogramsPerPound,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Unknown weight unit."),
    };

    /// <summary>Converts <paramref name="value"/> in <paramref name="unit"/> to kilograms.</summary>
    /// <param name="value">The value as displayed.</param>
    /// <param name="unit">Its unit.</param>
    /// <returns>The value in kg, rounded to remove binary noise from the factor (e.g. 0.001 × 123456).</returns>
    public static double ToKilograms(double value, WeightUnit unit) =>
        unit == WeightUnit.Kilogram ? value : Math.Round(value * ToKilograms(unit), 9);

    /// <summary>Recognises a unit symbol as indicators print it (<c>kg</c>, <c>g</c>, <c>t</c>, <c>lb</c>; case-insensitive; <c>lbs</c> accepted).</summary>
    /// <param name="symbol">The symbol, already trimmed.</param>
    /// <param name="unit">The unit, when recognised.</param>
    /// <returns><see langword="true"/> when recognised.</returns>
    public static bool TryParse(ReadOnlySpan<char> symbol, out WeightUnit unit)
    {
        if (symbol.Equals("kg", StringComparison.OrdinalIgnoreCase))
        {
            unit = WeightUnit.Kilogram;
            return true;
        }

        if (symbol.Equals("g", StringComparison.OrdinalIgnoreCase))
        {
            unit = WeightUnit.Gram;
            return true;
        }

        if (symbol.Equals("t", StringComparison.OrdinalIgnoreCase))
        {
            unit = WeightUnit.Tonne;
            return true;
        }

        if (symbol.Equals("lb", StringComparison.OrdinalIgnoreCase) || symbol.Equals("lbs", StringComparison.OrdinalIgnoreCase))
        {
            unit = WeightUnit.Pound;
            return true;
        }

        unit = default;
        return false;
    }

    /// <summary>Recognises a unit symbol given as bytes (ASCII).</summary>
    /// <param name="symbol">The symbol bytes, already trimmed.</param>
    /// <param name="unit">The unit, when recognised.</param>
    /// <returns><see langword="true"/> when recognised.</returns>
    public static bool TryParse(ReadOnlySpan<byte> symbol, out WeightUnit unit)
    {
        Span<char> chars = stackalloc char[4];
        if (symbol.Length is 0 or > 4)
        {
            unit = default;
            return false;
        }

        for (var i = 0; i < symbol.Length; i++)
        {
            chars[i] = (char)symbol[i];
        }

        return TryParse(chars[..symbol.Length], out unit);
    }
}
