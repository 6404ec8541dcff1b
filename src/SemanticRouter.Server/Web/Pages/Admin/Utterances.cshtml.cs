using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SemanticRouter.Server.Services;

namespace SemanticRouter.Server.Web.Pages.Admin;

/// <summary>
/// Adds utterances to a route through <see cref="AdminActions"/> (the same code as the AddUtterances RPC), then
/// goes back to the query that asked (its ranking now on the new index) or to the route. Admin only (folder policy).
/// </summary>
internal sealed class UtterancesModel(AdminActions admin) : PageModel
{
    [BindProperty]
    public string Route { get; set; } = string.Empty;

    /// <summary>One utterance per line.</summary>
    [BindProperty]
    public string? Utterances { get; set; }

    /// <summary>The query to rank again afterwards (from the Try page).</summary>
    [BindProperty]
    public string? ReturnQuery { get; set; }

    public string? Error { get; private set; }

    public IActionResult OnGet() => RedirectPermanent("/ui/routes");

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        try
        {
            var added = await admin.AddUtterancesAsync(Route, WebPage.Lines(Utterances), cancellationToken).ConfigureAwait(false);
            return ReturnQuery is { Length: > 0 } query
                ? Redirect($"/ui?q={Uri.EscapeDataString(query)}&added={added.Added}&route={Uri.EscapeDataString(Route)}")
                : Redirect($"/ui/routes/{Uri.EscapeDataString(Route)}?added={added.Added}");
        }
        catch (RouterException e)
        {
            Error = e.Message;
            Response.StatusCode = WebPage.StatusOf(e.Code);
            return Page();
        }
    }
}
