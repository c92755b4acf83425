namespace Edge.Devices;

/// <summary>
/// Thrown when device options are not valid. <see cref="Errors"/> lists every problem, each naming the exact
/// configuration key (for example <c>Devices:Scales:0:Stability:ToleranceKg</c>) and the allowed values.
/// </summary>
public sealed class DeviceConfigurationException : Exception
{
    /// <summary>Creates the exception with no details.</summary>
    public DeviceConfigurationException()
        : this("Device options are not valid.")
    {
    }

    /// <summary>Creates the exception with one message.</summary>
    /// <param name="message">What is wrong.</param>
    public DeviceConfigurationException(string message)
        : base(message)
    {
        Errors = [message];
    }

    /// <summary>Creates the exception with one message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public DeviceConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Creates the exception listing every problem.</summary>
    /// <param name="errors">The problems, one per key.</param>
    public DeviceConfigurationException(IReadOnlyList<string> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Every problem found, each naming its configuration key.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Throws when <paramref name="errors"/> is not empty.</summary>
    /// <param name="errors">The problems found by a <c>Validate</c> method.</param>
    /// <exception cref="DeviceConfigurationException">There is at least one problem.</exception>
    public static void ThrowIfAny(IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count > 0)
        {
            throw new DeviceConfigurationException(errors);
        }
    }

    private static string FormatMessage(IReadOnlyList<string> errors) =>
        errors is null || errors.Count == 0
            ? "Device options are not valid."
            : "Device options are not valid: " + string.Join("; ", errors);
}
