namespace SemanticRouter.Server.Web;

/// <summary>
/// Settings of the web page (section <c>SemanticRouter:Web</c>; docs/web.md). Off unless
/// <see cref="Enabled"/>; served under <c>/ui</c> on the HTTP port of <c>/metrics</c> and <c>/healthz</c>.
/// </summary>
public sealed class WebOptions
{
    /// <summary>The configuration section, under <c>SemanticRouter</c>.</summary>
    public const string Section = "Web";

    /// <summary>Serve the web page (also `serve --web`). Default off.</summary>
    public bool Enabled { get; set; }

    /// <summary>Largest request body a page accepts (bytes); larger ones get 413. Default 64 KiB.</summary>
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How long a sign-in lasts without use.</summary>
    public TimeSpan SignInLifetime { get; set; } = TimeSpan.FromHours(8);
}
