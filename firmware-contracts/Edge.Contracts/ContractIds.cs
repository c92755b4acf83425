namespace Edge.Contracts;

/// <summary>
/// The identifier rule shared by topic segments and id fields: 1–64 characters of <c>[A-Za-z0-9_.-]</c>.
/// That excludes the MQTT topic separators and wildcards (<c>/ + #</c>) and anything that needs escaping
/// in InfluxDB line protocol.
/// </summary>
public static class ContractIds
{
    /// <summary>Tells whether <paramref name="value"/> is a valid identifier.</summary>
    /// <param name="value">The candidate identifier.</param>
    /// <returns><see langword="true"/> when it is 1–64 characters of <c>[A-Za-z0-9_.-]</c>.</returns>
    public static bool IsValid(string? value)
    {
        if (value is null || value.Length == 0 || value.Length > ContractLimits.MaxIdLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!IsIdChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws when <paramref name="value"/> is not a valid identifier.</summary>
    /// <param name="value">The candidate identifier.</param>
    /// <param name="paramName">The parameter name reported in the exception.</param>
    /// <exception cref="ArgumentException">The value is not 1–64 characters of <c>[A-Za-z0-9_.-]</c>.</exception>
    public static void ThrowIfInvalid(string? value, string paramName)
    {
        if (!IsValid(value))
        {
            throw new ArgumentException(
                $"'{value}' is not a valid id: use 1-{ContractLimits.MaxIdLength} characters of [A-Za-z0-9_.-].",
                paramName);
        }
    }

    private static bool IsIdChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';
}
