using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SemanticRouter.Server.Web.Pages;

/// <summary>Every route now serving (<see cref="ISemanticRouter.ListRoutesAsync"/>).</summary>
internal sealed class RoutesModel(ISemanticRouter router) : PageModel
{
    public RouteListing? Listing { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Listing = await router.ListRoutesAsync(cancellationToken).ConfigureAwait(false);
}
