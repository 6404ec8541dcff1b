using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SemanticRouter.Server.Services;

namespace SemanticRouter.Server.Web.Pages.Admin;

/// <summary>Reloads the configured index through <see cref="AdminActions"/> (as the ReloadIndex RPC does, without a path). Admin only.</summary>
internal sealed class ReloadModel(AdminActions admin) : PageModel
{
    public IndexReloaded? Result { get; private set; }

    public string? Error { get; private set; }

    public IActionResult OnGet() => RedirectPermanent("/ui/index");

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        try
        {
            Result = await admin.ReloadAsync(path: null, cancellationToken).ConfigureAwait(false);
        }
        catch (RouterException e)
        {
            Error = e.Message;
            Response.StatusCode = WebPage.StatusOf(e.Code);
        }

        return Page();
    }
}
