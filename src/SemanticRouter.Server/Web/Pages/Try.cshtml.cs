using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SemanticRouter.Server.Web.Pages;

/// <summary>
/// Try a query: rank it (the contract's <see cref="ISemanticRouter.RankAsync"/>, neighbours included) and show
/// each voting neighbour's per-model tallies (<see cref="ISemanticRouter.InspectNeighborsAsync"/>): the numbers
/// `rank --json` and `neighbors` give for the same query and index version. A GET form, so a result is a link.
/// </summary>
internal sealed class TryModel(ISemanticRouter router, WebKeys keys) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    /// <summary>Earlier turns, one per line, oldest first.</summary>
    [BindProperty(SupportsGet = true)]
    public string? History { get; set; }

    [BindProperty(SupportsGet = true)]
    public int? K { get; set; }

    [BindProperty(SupportsGet = true)]
    public double? Cost { get; set; }

    [BindProperty(SupportsGet = true)]
    public List<string> Candidates { get; set; } = [];

    /// <summary>Set after adding the query as an utterance (Admin/Utterances redirects here).</summary>
    [BindProperty(SupportsGet = true)]
    public int? Added { get; set; }

    [BindProperty(SupportsGet = true, Name = "route")]
    public string? AddedTo { get; set; }

    public RoutingDecision? Decision { get; private set; }

    /// <summary>The ranking's neighbours, most similar first, with their tallies where the inspection has them.</summary>
    public IReadOnlyList<NeighborVote> Neighbors { get; private set; } = [];

    public IReadOnlyList<string> Models { get; private set; } = [];

    public IReadOnlyList<string> Routes { get; private set; } = [];

    public string? Error { get; private set; }

    public bool CanWrite => keys.AdminConfigured && WebAuthentication.IsAdmin(User);

    public bool AdminConfigured => keys.AdminConfigured;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var listing = await router.ListRoutesAsync(cancellationToken).ConfigureAwait(false);
        Routes = [.. listing.Routes.Select(r => r.Name)];
        Models = [.. listing.Routes.SelectMany(r => r.Models).Distinct(StringComparer.Ordinal)];
        if (string.IsNullOrWhiteSpace(Query))
        {
            return;
        }

        var history = WebPage.Lines(History).Select(t => new ConversationTurn("user", t)).ToList();
        try
        {
            var decision = await router.RankAsync(
                new RoutingRequest(Query)
                {
                    History = history,
                    K = K,
                    CostWeight = Cost,
                    Candidates = Candidates,
                    IncludeNeighbors = true,
                },
                cancellationToken).ConfigureAwait(false);
            var inspected = await router.InspectNeighborsAsync(new InspectRequest(Query) { History = history, K = K }, cancellationToken).ConfigureAwait(false);
            var tallies = inspected.Neighbors
                .GroupBy(n => (n.Utterance, n.Route))
                .ToDictionary(g => g.Key, g => g.First().Models);
            Decision = decision;
            Neighbors = [.. decision.Neighbors.Select(n => n with { Models = tallies.GetValueOrDefault((n.Utterance, n.Route)) })];
        }
        catch (RouterException e)
        {
            Error = e.Message;
            Response.StatusCode = WebPage.StatusOf(e.Code);
        }
    }
}
