using System.Globalization;
using DotnetChat;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using SemanticRouter;
using SemanticRouter.Client;

// Routes chat calls among three local stand-in models with SemanticRouter, reports outcomes, and shows
// the router learning from them.
//   dotnet run --project examples/dotnet-chat                                        # the router in this process
//   dotnet run --project examples/dotnet-chat -- --server http://127.0.0.1:50051     # a running `semantic-router serve` (./run.sh)
// In-process it indexes the example routes into a temporary directory (or takes --index DIR) with the
// sentence model run.sh uses; no network either way.
string? server = Option("--server");
string? indexOption = Option("--index");
string[] models = ["claude-sonnet-4", "o3-mini", "gpt-4o-mini"];
const string DefaultModel = "gpt-4o-mini";

var services = new ServiceCollection();
var temp = Directory.CreateTempSubdirectory("dotnet-chat-");
try
{
    // 1. The router: one line either way, and both register the same ISemanticRouter.
    if (server is not null)
    {
        services.AddSemanticRouter(o => o.Address = new Uri(server));
        Console.WriteLine($"router: semantic-router serve at {server}");
    }
    else
    {
        var root = indexOption is null ? LocalIndex.RepositoryRoot() : null;
        var index = indexOption ?? LocalIndex.Build(Path.Combine(root!, "routes"), LocalIndex.FindModel(root!), temp.FullName);
        services.AddSemanticRouterInProcess(o =>
        {
            o.IndexDirectory = index;
            o.OutcomeDatabase = Path.Combine(temp.FullName, "outcomes.db"); // a fresh history each run
        });
        Console.WriteLine($"router: in-process over {index}");
    }

    // 2. The models, keyed by the names the router ranks (real apps register real IChatClients here).
    var fakes = models.ToDictionary(m => m, m => new FakeModel(m));
    foreach (var (name, client) in fakes)
    {
        services.AddKeyedChatClient(name, client);
    }

    // 3. The chat client the app uses: the default model, routed.
    services.AddChatClient(sp => sp.GetRequiredKeyedService<IChatClient>(DefaultModel))
        .UseSemanticRouting(o =>
        {
            o.DefaultModel = DefaultModel;
            o.Models = models;
        });

    await using var provider = services.BuildServiceProvider();
    var chat = provider.GetRequiredService<IChatClient>();
    var router = provider.GetRequiredService<ISemanticRouter>();

    string[] prompts =
    [
        "write a python function that removes duplicates from a list",
        "solve for x in 3x + 7 = 22",
        "hello, how are you today?",
        "why does my rust code say the borrowed value does not live long enough",
        "what is the derivative of x squared times sine of x",
    ];
    const string Coding = "refactor this javascript class to use async/await instead of callbacks";

    Console.WriteLine("\n== routed prompts");
    foreach (var prompt in prompts)
    {
        await AskAsync(prompt);
    }

    Console.WriteLine($"\n== ranking for \"{Coding}\"");
    await PrintRankingAsync(Coding);

    Console.WriteLine("\n== claude-sonnet-4 goes down for a while: its calls fall through to the next ranked model");
    fakes["claude-sonnet-4"].Down = true;
    foreach (var prompt in new[] { Coding, prompts[0], prompts[3] })
    {
        await AskAsync(prompt);
    }

    fakes["claude-sonnet-4"].Down = false;

    // Outcomes went to the router in the background; wait for them before looking (an app never has to).
    await chat.GetService<SemanticRouterChatClient>()!.FlushOutcomesAsync();
    Console.WriteLine($"\n== claude-sonnet-4 is back; the router learned from the reported outcomes. Ranking for \"{Coding}\" now:");
    await PrintRankingAsync(Coding);
    await AskAsync(Coding);
    return 0;

    async Task AskAsync(string prompt)
    {
        var response = await chat.GetResponseAsync(prompt);
        var routing = response.GetRouting()!;
        var failed = routing.FailedModels.Count > 0 ? $" after {string.Join(", ", routing.FailedModels)} failed" : "";
        var why = routing.UsedDefaultModel ? $" (default: {routing.DefaultReason})" : "";
        Console.WriteLine($"  {Shorten(prompt),-60} -> {routing.Model}{failed}{why}  [request {routing.RequestId ?? "none"}]");
    }

    async Task PrintRankingAsync(string prompt)
    {
        var decision = await router.RankAsync(new RoutingRequest(prompt) { Candidates = models });
        Console.WriteLine($"  route {decision.Route.Route}: " + string.Join("  ", decision.Models.Select(m =>
            string.Create(CultureInfo.InvariantCulture, $"{m.Model} {m.Score:F3}"))));
    }
}
catch (RouterException e)
{
    Console.Error.WriteLine($"dotnet-chat: the router refused: {e.Code}: {e.Message}");
    return 1;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"dotnet-chat: {e.Message}");
    return 2;
}
finally
{
    temp.Delete(recursive: true);
}

string? Option(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

static string Shorten(string text) => text.Length <= 58 ? text : string.Concat(text.AsSpan(0, 55), "...");
