using System.Globalization;
using Microsoft.Extensions.Options;

namespace Edge.Outbox;

/// <summary>Validates <see cref="OutboxOptions"/>; every failure names its configuration key and the allowed values.</summary>
public sealed class OutboxOptionsValidator : IValidateOptions<OutboxOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var s = OutboxOptions.SectionName;
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            failures.Add($"{s}:{nameof(OutboxOptions.DatabasePath)} is required (a file path such as /var/lib/edge/outbox.db).");
        }
        else if (Directory.Exists(options.DatabasePath))
        {
            failures.Add($"{s}:{nameof(OutboxOptions.DatabasePath)} must name a file, not the directory '{options.DatabasePath}'.");
        }

        Range(failures, s, nameof(OutboxOptions.MaxBytes), options.MaxBytes, 64 * 1024, long.MaxValue);
        if (!(options.WarnAtFraction >= 0.1 && options.WarnAtFraction <= 0.99))
        {
            failures.Add($"{s}:{nameof(OutboxOptions.WarnAtFraction)} is {options.WarnAtFraction.ToString(CultureInfo.InvariantCulture)}; allowed 0.1 to 0.99.");
        }

        Range(failures, s, nameof(OutboxOptions.MaxBatchSize), options.MaxBatchSize, 1, 100_000);
        Range(failures, s, nameof(OutboxOptions.MaxPendingAppends), options.MaxPendingAppends, 1, 10_000_000);
        Range(failures, s, nameof(OutboxOptions.SeqReservationBlock), options.SeqReservationBlock, 1, 100_000_000);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> naming every wrong key.</summary>
    /// <param name="options">The options.</param>
    public static void ThrowIfInvalid(OutboxOptions options)
    {
        var result = new OutboxOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(OutboxOptions.SectionName, typeof(OutboxOptions), result.Failures);
        }
    }

    internal static void Range(List<string> failures, string section, string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{section}:{key} is {value}; allowed {min} to {max}."));
        }
    }

    internal static void Range(List<string> failures, string section, string key, double value, double min, double max)
    {
        if (!(value >= min && value <= max))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{section}:{key} is {value}; allowed {min} to {max}."));
        }
    }

    internal static void Range(List<string> failures, string section, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{section}:{key} is {value}; allowed {min} to {max}."));
        }
    }
}

/// <summary>Validates <see cref="OutboxDeliveryOptions"/>; every failure names its configuration key and the allowed values.</summary>
public sealed class OutboxDeliveryOptionsValidator : IValidateOptions<OutboxDeliveryOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, OutboxDeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var s = OutboxDeliveryOptions.SectionName;
        OutboxOptionsValidator.Range(failures, s, nameof(OutboxDeliveryOptions.AckTimeout), options.AckTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        OutboxOptionsValidator.Range(failures, s, nameof(OutboxDeliveryOptions.BacklogItemsPerSecond), options.BacklogItemsPerSecond, 0.1, 1_000_000);
        OutboxOptionsValidator.Range(failures, s, nameof(OutboxDeliveryOptions.BacklogBurst), options.BacklogBurst, 1, 1_000_000);
        OutboxOptionsValidator.Range(failures, s, nameof(OutboxDeliveryOptions.MaxPublishBatch), options.MaxPublishBatch, 1, 100_000);
        OutboxOptionsValidator.Range(failures, s, nameof(OutboxDeliveryOptions.MaxInFlight), options.MaxInFlight, 1, 10_000_000);
        OutboxOptionsValidator.Range(failures, s, nameof(OutboxDeliveryOptions.InitialBackoff), options.InitialBackoff, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        OutboxOptionsValidator.Range(failures, s, nameof(OutboxDeliveryOptions.MaxBackoff), options.MaxBackoff, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        if (options.MaxBackoff < options.InitialBackoff)
        {
            failures.Add($"{s}:{nameof(OutboxDeliveryOptions.MaxBackoff)} ({options.MaxBackoff}) must be ≥ {s}:{nameof(OutboxDeliveryOptions.InitialBackoff)} ({options.InitialBackoff}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> naming every wrong key.</summary>
    /// <param name="options">The options.</param>
    public static void ThrowIfInvalid(OutboxDeliveryOptions options)
    {
        var result = new OutboxDeliveryOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(OutboxDeliveryOptions.SectionName, typeof(OutboxDeliveryOptions), result.Failures);
        }
    }
}
