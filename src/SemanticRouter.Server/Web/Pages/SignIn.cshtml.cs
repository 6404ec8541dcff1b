using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SemanticRouter.Server.Web.Pages;

/// <summary>
/// Sign in with a key (<see cref="WebKeys"/>: the admin key for everything, the API key to read) and get the page's
/// cookie; sign out. Open to anyone; the key is compared in constant time and never echoed or logged.
/// </summary>
internal sealed class SignInModel(WebKeys keys) : PageModel
{
    [BindProperty]
    public string? Key { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public bool SignInRequired => keys.SignInRequired;

    public bool AdminConfigured => keys.AdminConfigured;

    public async Task<IActionResult> OnPostAsync()
    {
        var access = keys.Classify((Key ?? string.Empty).AsSpan().Trim());
        if (access == WebAccess.None)
        {
            Error = "That key is not accepted.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(WebAuthentication.CookieScheme, WebAuthentication.Principal(access, WebAuthentication.CookieScheme)).ConfigureAwait(false);
        return LocalRedirect(SafeReturnUrl());
    }

    public async Task<IActionResult> OnPostSignoutAsync()
    {
        await HttpContext.SignOutAsync(WebAuthentication.CookieScheme).ConfigureAwait(false);
        return LocalRedirect("/ui/signin");
    }

    // Only back into the page itself: never an open redirect.
    private string SafeReturnUrl() =>
        ReturnUrl is { } url && Url.IsLocalUrl(url) && (url == WebSetup.PathBase || url.StartsWith(WebSetup.PathBase + "/", StringComparison.Ordinal) || url.StartsWith(WebSetup.PathBase + "?", StringComparison.Ordinal))
            ? url
            : WebSetup.PathBase;
}
