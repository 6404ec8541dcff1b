namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Settings of the gRPC host: where it listens, what it accepts, how it authenticates and shuts down.
/// Bound from the configuration section <see cref="SettingNames.Section"/> (docs/grpc.md lists the sources
/// and their precedence); validated at start by <see cref="RouterServerOptionsValidator"/>.
/// </summary>
public sealed class RouterServerOptions
{
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

    /// <summary>Largest query (and each earlier turn or utterance) in UTF-8 bytes; the engine gets the same limit.</summary>
    public int MaxQueryBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// When set, every Router call needs metadata <c>authorization: Bearer &lt;key&gt;</c>. A secret: set it
    /// from the environment or with <see cref="ApiKeyFile"/>, not on a command line; it is never logged.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>A file holding the API key (trailing white space ignored), e.g. a mounted secret; instead of <see cref="ApiKey"/>.</summary>
    public string? ApiKeyFile { get; set; }

    /// <summary>
    /// The key that admin operations need (the web page's writes: adding utterances, reloading; when set, the
    /// web page asks for it, or for <see cref="ApiKey"/> to only read). A secret, like <see cref="ApiKey"/>: set it
    /// from the environment or with <see cref="AdminKeyFile"/>; never logged. Unset: the web page cannot write.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>A file holding the admin key (trailing white space ignored); instead of <see cref="AdminKey"/>.</summary>
    public string? AdminKeyFile { get; set; }

    /// <summary>PFX/PKCS#12 certificate; when set the gRPC port speaks TLS (HTTP/2 over ALPN).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of <see cref="CertificatePath"/> (a secret, never logged).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>A file holding <see cref="CertificatePassword"/>, instead of it.</summary>
    public string? CertificatePasswordFile { get; set; }

    /// <summary>Compress responses with this algorithm (<c>gzip</c>) when the client accepts it; null = never.</summary>
    public string? ResponseCompression { get; set; }

    /// <summary>How long shutdown waits for in-flight calls to finish.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Send exception details to clients (development only).</summary>
    public bool EnableDetailedErrors { get; set; }
}
