using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Edge.Mqtt;

/// <summary>
/// Validates <see cref="MqttClientOptions"/>, including the rules that span several keys. Every message names the
/// exact configuration key (e.g. <c>Mqtt:KeepAlive</c>) and the allowed values. Register it with
/// <c>services.AddSingleton&lt;IValidateOptions&lt;MqttClientOptions&gt;, MqttClientOptionsValidator&gt;()</c> and
/// <c>ValidateOnStart()</c>; <see cref="MqttClient"/> runs it again in its constructor.
/// </summary>
public sealed class MqttClientOptionsValidator : IValidateOptions<MqttClientOptions>
{
    private const string P = MqttClientOptions.SectionName + ":";
    private static readonly TimeSpan s_maxKeepAlive = TimeSpan.FromSeconds(ushort.MaxValue);
    private static readonly TimeSpan s_maxSessionExpiry = TimeSpan.FromSeconds(uint.MaxValue - 1L);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MqttClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var v5 = options.ProtocolVersion == MqttProtocolVersion.V500;

        if (string.IsNullOrWhiteSpace(options.Host))
        {
            errors.Add($"{P}Host is required (a host name or IP address of the broker).");
        }

        if (options.Port is < 1 or > 65535)
        {
            errors.Add(F($"{P}Port must be between 1 and 65535 (was {options.Port})."));
        }

        if (!Enum.IsDefined(options.ProtocolVersion))
        {
            errors.Add($"{P}ProtocolVersion must be V500 or V311 (was {options.ProtocolVersion}).");
        }

        if (options.ClientId is { Length: > 0 } id && Encoding.UTF8.GetByteCount(id) > ushort.MaxValue)
        {
            errors.Add($"{P}ClientId must be at most 65535 UTF-8 bytes.");
        }

        if (!options.CleanStart && string.IsNullOrEmpty(options.ClientId))
        {
            errors.Add($"{P}ClientId is required when {P}CleanStart is false: the broker finds the stored session by client id.");
        }

        if (options.Password is not null && options.UserName is null)
        {
            errors.Add($"{P}Password is set but {P}UserName is not; MQTT sends a password only with a user name.");
        }

        if (options.KeepAlive < TimeSpan.FromSeconds(5) || options.KeepAlive > s_maxKeepAlive)
        {
            errors.Add(F($"{P}KeepAlive must be between 00:00:05 and {s_maxKeepAlive} (was {options.KeepAlive}); libmosquitto refuses less than 5 s."));
        }

        ValidateSessionExpiry(options, v5, errors);
        Range(errors, "MaxInflightMessages", options.MaxInflightMessages, 1, 65535);
        Range(errors, "ReceiveMaximum", options.ReceiveMaximum, 1, 65535);
        Range(errors, "MaxPendingPublishes", options.MaxPendingPublishes, 1, 60_000);
        Positive(errors, "OperationTimeout", options.OperationTimeout, TimeSpan.FromDays(1));
        Positive(errors, "ConnectTimeout", options.ConnectTimeout, TimeSpan.FromHours(1));

        if (options.Tls is { } tls)
        {
            ValidateTls(tls, errors);
        }

        if (options.Will is { } will)
        {
            ValidateWill(will, v5, errors);
        }

        if (options.Reconnect is null)
        {
            errors.Add($"{P}Reconnect must not be null.");
        }
        else
        {
            var r = options.Reconnect;
            Positive(errors, "Reconnect:InitialDelay", r.InitialDelay, TimeSpan.FromDays(1));
            if (r.MaxDelay < r.InitialDelay || r.MaxDelay > TimeSpan.FromDays(1))
            {
                errors.Add(F($"{P}Reconnect:MaxDelay must be at least {P}Reconnect:InitialDelay ({r.InitialDelay}) and at most one day (was {r.MaxDelay})."));
            }

            if (double.IsNaN(r.JitterFraction) || r.JitterFraction is < 0 or > 1)
            {
                errors.Add(F($"{P}Reconnect:JitterFraction must be between 0 and 1 (was {r.JitterFraction})."));
            }

            if (r.ResetAfter < TimeSpan.Zero)
            {
                errors.Add(F($"{P}Reconnect:ResetAfter must not be negative (was {r.ResetAfter})."));
            }
        }

        if (options.Messages is null)
        {
            errors.Add($"{P}Messages must not be null.");
        }
        else
        {
            Range(errors, "Messages:Capacity", options.Messages.Capacity, 1, 1_000_000);
            if (!Enum.IsDefined(options.Messages.OverflowPolicy))
            {
                errors.Add($"{P}Messages:OverflowPolicy must be Wait, DropOldest or DropNewest (was {options.Messages.OverflowPolicy}).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    internal static void ThrowIfInvalid(MqttClientOptions options)
    {
        var result = new MqttClientOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(MqttClientOptions), result.Failures);
        }
    }

    private static void ValidateSessionExpiry(MqttClientOptions options, bool v5, List<string> errors)
    {
        var expiry = options.SessionExpiryInterval;
        if (expiry != Timeout.InfiniteTimeSpan && (expiry < TimeSpan.Zero || expiry > s_maxSessionExpiry))
        {
            errors.Add(F($"{P}SessionExpiryInterval must be between 0 and {s_maxSessionExpiry}, or -00:00:00.001 (infinite) (was {expiry})."));
        }

        if (!v5 && expiry != TimeSpan.Zero)
        {
            errors.Add($"{P}SessionExpiryInterval needs {P}ProtocolVersion V500; MQTT 3.1.1 has no session expiry (leave it 0).");
        }

        if (v5 && !options.CleanStart && expiry == TimeSpan.Zero)
        {
            errors.Add($"{P}SessionExpiryInterval must be above 0 when {P}CleanStart is false: with 0 an MQTT 5 broker discards the session as soon as the connection ends.");
        }
    }

    private static void ValidateTls(MqttTlsOptions tls, List<string> errors)
    {
        if (string.IsNullOrEmpty(tls.CaFile) && string.IsNullOrEmpty(tls.CaPath))
        {
            errors.Add($"{P}Tls:CaFile or {P}Tls:CaPath is required: the broker certificate must be checked against a CA.");
        }

        if (!string.IsNullOrEmpty(tls.CaFile) && !File.Exists(tls.CaFile))
        {
            errors.Add($"{P}Tls:CaFile '{tls.CaFile}' does not exist.");
        }

        if (!string.IsNullOrEmpty(tls.CaPath) && !Directory.Exists(tls.CaPath))
        {
            errors.Add($"{P}Tls:CaPath '{tls.CaPath}' is not a directory.");
        }

        if (string.IsNullOrEmpty(tls.CertificateFile) != string.IsNullOrEmpty(tls.KeyFile))
        {
            errors.Add($"{P}Tls:CertificateFile and {P}Tls:KeyFile go together: set both for client-certificate authentication, or neither.");
        }

        if (!string.IsNullOrEmpty(tls.CertificateFile) && !File.Exists(tls.CertificateFile))
        {
            errors.Add($"{P}Tls:CertificateFile '{tls.CertificateFile}' does not exist.");
        }

        if (!string.IsNullOrEmpty(tls.KeyFile) && !File.Exists(tls.KeyFile))
        {
            errors.Add($"{P}Tls:KeyFile '{tls.KeyFile}' does not exist.");
        }

        if (tls.Version is not (null or "tlsv1.3" or "tlsv1.2" or "tlsv1.1"))
        {
            errors.Add($"{P}Tls:Version must be tlsv1.3, tlsv1.2 or tlsv1.1, or unset (was '{tls.Version}').");
        }
    }

    private static void ValidateWill(MqttWillOptions will, bool v5, List<string> errors)
    {
        if (!MqttTopicFilter.IsValidTopicName(will.Topic))
        {
            errors.Add($"{P}Will:Topic '{will.Topic}' is not a valid topic name (non-empty, no '+' or '#').");
        }

        if (!Enum.IsDefined(will.Qos))
        {
            errors.Add($"{P}Will:Qos must be AtMostOnce, AtLeastOnce or ExactlyOnce (was {will.Qos}).");
        }

        if (will.Payload is null)
        {
            errors.Add($"{P}Will:Payload must not be null (use an empty array).");
        }

        if (!v5 && (will.UserProperties.Count > 0 || will.Delay != TimeSpan.Zero))
        {
            errors.Add($"{P}Will:UserProperties and {P}Will:Delay need {P}ProtocolVersion V500.");
        }

        if (will.Delay < TimeSpan.Zero || will.Delay > s_maxSessionExpiry)
        {
            errors.Add(F($"{P}Will:Delay must be between 0 and {s_maxSessionExpiry} (was {will.Delay})."));
        }
    }

    private static void Range(List<string> errors, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add(F($"{P}{key} must be between {min} and {max} (was {value})."));
        }
    }

    private static void Positive(List<string> errors, string key, TimeSpan value, TimeSpan max)
    {
        if (value <= TimeSpan.Zero || value > max)
        {
            errors.Add(F($"{P}{key} must be above 0 and at most {max} (was {value})."));
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
