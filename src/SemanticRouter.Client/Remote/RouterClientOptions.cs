namespace SemanticRouter.Client;

/// <summary>
/// Settings of <see cref="RouterClient"/>, bindable from configuration (e.g. the section
/// <c>SemanticRouter</c> of appsettings.json: <c>{ "Address": "http://127.0.0.1:50051", "ApiKey": "…", "Deadline": "00:00:05" }</c>).
/// </summary>
public sealed class RouterClientOptions
{
    /// <summary>The default address: the server's default port on loopback.</summary>
    public static readonly Uri DefaultAddress = new("http://127.0.0.1:50051");

    /// <summary>The server: <c>http://host:port</c> (HTTP/2 without TLS) or <c>https://host:port</c>. Default loopback:50051.</summary>
    public Uri Address { get; set; } = DefaultAddress;

    /// <summary>Sent as <c>authorization: Bearer &lt;key&gt;</c> on every call; null = no key.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Sent instead of <see cref="ApiKey"/> on the admin calls (AddUtterances, ReloadIndex), which the server
    /// refuses without its admin key; null = the API key there too.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>Deadline of each call, retries included (default 10 s).</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Attempts per call when the server answers UNAVAILABLE or cannot be reached (default 3; 1 = no retry;
    /// at most 5). No other status is retried: every other error is an answer.
    /// </summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Wait before the first retry (default 0.2 s); each later wait doubles, up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between two attempts (default 2 s).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The first problem with these settings, or null when they are usable.</summary>
    public string? Validate()
    {
        if (Address is null || !Address.IsAbsoluteUri || (Address.Scheme != Uri.UriSchemeHttp && Address.Scheme != Uri.UriSchemeHttps))
        {
            return "SemanticRouter Address must be an absolute http:// or https:// address, e.g. http://127.0.0.1:50051.";
        }

        if (Deadline <= TimeSpan.Zero)
        {
            return "SemanticRouter Deadline must be positive.";
        }

        if (MaxAttempts is < 1 or > 5)
        {
            return "SemanticRouter MaxAttempts must be between 1 (no retry) and 5.";
        }

        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            return "SemanticRouter InitialBackoff must be positive and MaxBackoff at least InitialBackoff.";
        }

        return null;
    }
}
