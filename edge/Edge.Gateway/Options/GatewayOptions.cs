namespace Edge.Gateway.Options;

/// <summary>Everything the gateway is configured with (configuration section <c>Gateway</c>).</summary>
internal sealed class GatewayOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway";

    /// <summary>The gateway id: the topic's gateway segment and the idempotency key's first half.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The site (topic segment), e.g. <c>hz-plant</c>.</summary>
    public string Site { get; set; } = string.Empty;

    /// <summary>The area (topic segment), e.g. <c>weighbridge</c>; <c>alerts</c> is reserved.</summary>
    public string Area { get; set; } = string.Empty;

    /// <summary>Where the session counter, command ledger and counter positions live (and the outbox by default).</summary>
    public string StateDirectory { get; set; } = "/var/lib/edge-gateway";

    /// <summary>Broker connection.</summary>
    public GatewayMqttOptions Mqtt { get; set; } = new();

    /// <summary>The durable outbox.</summary>
    public GatewayOutboxOptions Outbox { get; set; } = new();

    /// <summary>How messages are shaped and how often state is republished.</summary>
    public PublishingOptions Publishing { get; set; } = new();

    /// <summary>The devices this gateway reads and drives.</summary>
    public IList<DeviceOptions> Devices { get; } = [];

    /// <summary>How long a clean stop may take before the host gives up (systemd's TimeoutStopSec must be longer).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(4);
}

/// <summary>The broker connection (section <c>Gateway:Mqtt</c>).</summary>
internal sealed class GatewayMqttOptions
{
    /// <summary>Broker host.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>Broker port (1883 plain, 8883 TLS).</summary>
    public int Port { get; set; } = 1883;

    /// <summary>Client id; the gateway id when empty.</summary>
    public string? ClientId { get; set; }

    /// <summary>User name, or none.</summary>
    public string? UserName { get; set; }

    /// <summary>Password, or none. Prefer <see cref="PasswordFile"/> so the secret stays out of the config file.</summary>
    public string? Password { get; set; }

    /// <summary>A file whose first line is the password (e.g. a systemd credential).</summary>
    public string? PasswordFile { get; set; }

    /// <summary>Keepalive; the broker publishes the Last Will after 1.5 intervals of silence.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First reconnect delay.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a publish waits for its PUBACK.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>TLS, or null for plain TCP.</summary>
    public GatewayTlsOptions? Tls { get; set; }
}

/// <summary>TLS files (section <c>Gateway:Mqtt:Tls</c>).</summary>
internal sealed class GatewayTlsOptions
{
    /// <summary>CA certificate (PEM) the broker's certificate must chain to.</summary>
    public string? CaFile { get; set; }

    /// <summary>Client certificate (PEM), for brokers that require one.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>Unencrypted key of <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Check the broker certificate's name against the host.</summary>
    public bool VerifyHostname { get; set; } = true;
}

/// <summary>The outbox (section <c>Gateway:Outbox</c>).</summary>
internal sealed class GatewayOutboxOptions
{
    /// <summary>The SQLite file; <c>{StateDirectory}/outbox.db</c> when empty.</summary>
    public string? Path { get; set; }

    /// <summary>Disk quota in bytes; at the quota new readings are refused (and the alarm is in health).</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>Fraction of the quota at which the alarm is raised.</summary>
    public double WarnAtFraction { get; set; } = 0.8;

    /// <summary>Backlog replay rate (items per second); live readings are never limited.</summary>
    public double ReplayItemsPerSecond { get; set; } = 500;

    /// <summary>An item sent and not acknowledged by the hub within this time is sent again, marked replay.</summary>
    public TimeSpan ResendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Check the file at start (seconds on a big backlog on an SD card).</summary>
    public bool QuickCheckOnOpen { get; set; } = true;
}

/// <summary>Message shaping and state republishing (section <c>Gateway:Publishing</c>).</summary>
internal sealed class PublishingOptions
{
    /// <summary>Most readings in one ReadingBatch message (1–5,000).</summary>
    public int MaxReadingsPerBatch { get; set; } = 500;

    /// <summary>Every device's health is republished at least this often.</summary>
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often health is checked for changes (a change is published at once).</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a progress line (last accepted seq, pending items) is logged; 0 disables it.</summary>
    public TimeSpan ProgressLogInterval { get; set; } = TimeSpan.FromSeconds(60);
}
