using System.Globalization;
using SemanticRouter;
using SemanticRouter.Client;

// Ask a SemanticRouter server which models should answer a prompt (and, with --record, report an outcome).
//   dotnet run --project examples/csharp/RankExample -- "write a python function that sorts a list"
//   dotnet run --project examples/csharp/RankExample -- --record "query"   # also reports that the top model succeeded
// Only --record writes: an outcome moves the router's success statistics, so report one only when the
// model really answered well. SEMANTIC_ROUTER_ADDRESS (default http://127.0.0.1:50051) and
// SEMANTIC_ROUTER_API_KEY are read from the environment.
bool record = args.Contains("--record");
var words = args.Where(a => a != "--record").ToArray();
if (words.Length == 0)
{
    Console.Error.WriteLine("usage: RankExample [--record] \"query\"");
    return 2;
}

var address = Environment.GetEnvironmentVariable("SEMANTIC_ROUTER_ADDRESS") ?? "http://127.0.0.1:50051";
using var router = new RouterClient(new RouterClientOptions
{
    Address = new Uri(address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address),
    ApiKey = Environment.GetEnvironmentVariable("SEMANTIC_ROUTER_API_KEY"),
});
try
{
    var decision = await router.RankAsync(new RoutingRequest(string.Join(' ', words)) { IncludeNeighbors = true });
    Console.WriteLine($"request {decision.RequestId} (index {decision.IndexVersion})");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"route: {decision.Route.Route} (confidence {decision.Route.Confidence:F3})")
        + (decision.Route.Abstained ? $", abstained -> fallback {decision.Route.FallbackRoute}" : ""));
    var width = decision.Models.Select(m => m.Model.Length).DefaultIfEmpty(0).Max();
    foreach (var model in decision.Models)
    {
        var via = model.SupportingRoutes.Count > 0 ? $"  via {string.Join(", ", model.SupportingRoutes)}" : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {model.Model.PadRight(width)} {model.Score,7:F4}{via}"));
    }

    if (decision.BestModel is { } best && record)
    {
        await router.RecordOutcomeAsync(OutcomeReport.ForRequest(decision.RequestId, best, success: true));
        Console.WriteLine($"recorded: {best} succeeded");
    }
    else if (decision.BestModel is { } top)
    {
        Console.WriteLine($"not recorded: --record reports that {top} succeeded (it moves the router's statistics)");
    }

    return 0;
}
catch (RouterException ex)
{
    Console.Error.WriteLine($"RankModels failed: {ex.Code}: {ex.Message}");
    return 1;
}
