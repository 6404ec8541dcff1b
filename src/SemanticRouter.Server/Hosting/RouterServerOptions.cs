namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Settings of the gRPC host. Bound from the configuration section <see cref="SectionName"/>
/// (appsettings.json), environment variables prefixed <see cref="EnvironmentPrefix"/>
/// (<c>SEMANTIC_ROUTER_PORT</c>, <c>SEMANTIC_ROUTER_MAX_QUERY_BYTES</c>; <c>__</c> separates
/// nested keys, single underscores are ignored) and the caller's command-line overrides, in that
/// order (later wins). Validated at start-up by <see cref="RouterServerOptionsValidator"/>.
/// </summary>
public sealed class RouterServerOptions
{
    public const string SectionName = "SemanticRouter";
    public const string EnvironmentPrefix = "SEMANTIC_ROUTER_";

    /// <summary>Address to listen on: an IP address, <c>localhost</c>, or <c>*</c> for every interface.</summary>
    public string Host { get; set; } = "*";

    /// <summary>gRPC port (HTTP/2 only: h2c, or TLS when <see cref="CertificatePath"/> is set). 0 = any free port.</summary>
    public int Port { get; set; } = 50051;

    /// <summary>HTTP/1.1 port for <c>/metrics</c> and <c>/healthz</c>; 0 = any free port; -1 = no metrics endpoint.</summary>
    public int MetricsPort { get; set; } = 9464;

    /// <summary>Largest request message accepted (bytes); larger ones get RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = 1024 * 1024;

    /// <summary>Largest response message sent (bytes).</summary>
    public int MaxSendMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest query (and each earlier turn or utterance) in UTF-8 bytes.</summary>
    public int MaxQueryBytes { get; set; } = 16 * 1024;

    /// <summary>Largest k a caller may ask for.</summary>
    public int MaxK { get; set; } = 256;

    /// <summary>k when the caller sends 0.</summary>
    public int DefaultK { get; set; } = 10;

    /// <summary>When set, every Router call needs metadata <c>authorization: Bearer &lt;key&gt;</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>PFX/PKCS#12 certificate; when set the gRPC port speaks TLS (HTTP/2 over ALPN).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of <see cref="CertificatePath"/>.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Compress responses with this algorithm (<c>gzip</c>) when the client accepts it; null = never.</summary>
    public string? ResponseCompression { get; set; }

    /// <summary>How long shutdown waits for in-flight calls to finish.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Send exception details to clients (development only).</summary>
    public bool EnableDetailedErrors { get; set; }
}
