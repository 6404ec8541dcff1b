using SemanticRouter.Server.Auth;
using SemanticRouter.Server.Hosting;

namespace SemanticRouter.Server.Web;

/// <summary>What a presented key lets its holder do on the web page.</summary>
internal enum WebAccess
{
    /// <summary>Not a configured key.</summary>
    None,

    /// <summary>The API key: look and rank, not change anything.</summary>
    Read,

    /// <summary>The admin key: everything, adding utterances and reloading included.</summary>
    Admin,
}

/// <summary>
/// The keys the web page accepts, read once from the server's settings (<see cref="RouterServerOptions.ApiKey"/> to
/// read, <see cref="RouterServerOptions.AdminKey"/> for everything). The page's one policy: with no key configured
/// anyone who reaches the port may read and nobody may write; with any key configured, reading needs a key too.
/// </summary>
internal sealed class WebKeys(ConfiguredKeys keys)
{
    /// <summary>True when some key is configured: every page then needs a sign-in (or a Bearer key).</summary>
    public bool SignInRequired => keys.ApiKeyConfigured || keys.AdminKeyConfigured;

    /// <summary>True when an admin key is configured: without one, nothing on the page writes.</summary>
    public bool AdminConfigured => keys.AdminKeyConfigured;

    /// <summary>What <paramref name="presented"/> opens (<see cref="ConfiguredKeys.Match"/>: both keys compared, in constant time).</summary>
    public WebAccess Classify(ReadOnlySpan<char> presented) => keys.Match(presented) switch
    {
        KeyMatch.AdminKey => WebAccess.Admin,
        KeyMatch.ApiKey => WebAccess.Read,
        _ => WebAccess.None,
    };
}
