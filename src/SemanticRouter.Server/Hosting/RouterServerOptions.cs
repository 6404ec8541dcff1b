namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Settings of the gRPC host: where it listens, what it accepts, how it authenticates and shuts down.
/// Bound from the configuration section <see cref="SettingNames.Section"/> (docs/grpc.md lists the sources
/// and their precedence); validated at start by <see cref="RouterServerOptionsValidator"/>.
/// </summary>
public sealed class RouterServerOptions
{
    /// <summary>
    /// Address to listen on: an IP address, <c>localhost</c>, or <c>*</c> for every interface. Loopback by default;
    /// an address beyond loopback needs <see cref="ApiKey"/> (or <see cref="AllowUnauthenticated"/>).
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// Serve beyond loopback without an API key: for a port that something else guards (a container port
    /// published on the host's loopback, a private network behind an authenticating proxy). False by default.
    /// </summary>
    public bool AllowUnauthenticated { get; set; }

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

    /// <summary>Most earlier turns a RankModels or InspectNeighbors request may carry (each is embedded); more get INVALID_ARGUMENT.</summary>
    public int MaxHistoryTurns { get; set; } = 32;

    /// <summary>Most text one request may carry in all (query and turns, or utterances), UTF-8 bytes; more get INVALID_ARGUMENT.</summary>
    public int MaxRequestTextBytes { get; set; } = 64 * 1024;

    /// <summary>Most utterances one AddUtterances request may add; more get INVALID_ARGUMENT.</summary>
    public int MaxUtterancesPerCall { get; set; } = 256;

    /// <summary>Router calls worked on at once; the rest wait in a queue of <see cref="MaxQueuedCalls"/>.</summary>
    public int MaxConcurrentCalls { get; set; } = 64;

    /// <summary>Router calls that may wait for a slot (oldest first, each until its deadline); when full, RESOURCE_EXHAUSTED.</summary>
    public int MaxQueuedCalls { get; set; } = 256;

    /// <summary>
    /// When set, every Router call needs metadata <c>authorization: Bearer &lt;key&gt;</c>. A secret: set it
    /// from the environment or with <see cref="ApiKeyFile"/>, not on a command line; it is never logged.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>A file holding the API key (trailing white space ignored), e.g. a mounted secret; instead of <see cref="ApiKey"/>.</summary>
    public string? ApiKeyFile { get; set; }

    /// <summary>
    /// The key the admin RPCs (AddUtterances, ReloadIndex) need, as <c>authorization: Bearer &lt;key&gt;</c>; it is
    /// accepted for every other RPC too. Unset: the admin RPCs are disabled (unless <see cref="AllowAdminWithoutKey"/>). A secret.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>A file holding <see cref="AdminKey"/>, instead of it.</summary>
    public string? AdminKeyFile { get; set; }

    /// <summary>With no <see cref="AdminKey"/>, let whoever may query call the admin RPCs too (development, tests). False by default.</summary>
    public bool AllowAdminWithoutKey { get; set; }

    /// <summary>
    /// The directory ReloadIndex may load from (a request's path is relative to it, or absolute under it; links that
    /// leave it are refused). Null = the parent of the configured index (<see cref="EngineHostOptions.Index"/>).
    /// </summary>
    public string? IndexRoot { get; set; }

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
