using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SemanticRouter.Insight;

namespace SemanticRouter.Server.Web.Pages;

/// <summary>One route: its summary (the contract), its utterances (<see cref="IRouterInsight.Utterances"/>), searchable; and the form that adds more.</summary>
internal sealed class RouteModel(ISemanticRouter router, WebKeys keys, IServiceProvider services) : PageModel
{
    /// <summary>Most utterances listed at once; the filter finds the rest.</summary>
    public const int MaxListed = 1000;

    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = string.Empty;

    [BindProperty(SupportsGet = true)]
    public string? Filter { get; set; }

    [BindProperty(SupportsGet = true)]
    public int? Added { get; set; }

    public RouteSummary? Route { get; private set; }

    public string IndexVersion { get; private set; } = string.Empty;

    /// <summary>The utterances the filter keeps, with their 1-based position in the route; null when the router cannot list them.</summary>
    public IReadOnlyList<(int Position, string Text)>? Utterances { get; private set; }

    public int Matching { get; private set; }

    public bool CanWrite => keys.AdminConfigured && WebAuthentication.IsAdmin(User);

    public bool AdminConfigured => keys.AdminConfigured;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var listing = await router.ListRoutesAsync(cancellationToken).ConfigureAwait(false);
        Route = listing.Routes.FirstOrDefault(r => r.Name == Name);
        IndexVersion = listing.IndexVersion;
        if (Route is null)
        {
            return NotFound();
        }

        if (services.GetService(typeof(IRouterInsight)) is IRouterInsight insight)
        {
            var all = insight.Utterances(Name);
            var matching = all.Select((text, i) => (Position: i + 1, Text: text))
                .Where(u => string.IsNullOrWhiteSpace(Filter) || u.Text.Contains(Filter.Trim(), StringComparison.OrdinalIgnoreCase))
                .ToList();
            Matching = matching.Count;
            Utterances = [.. matching.Take(MaxListed)];
        }

        return Page();
    }
}
