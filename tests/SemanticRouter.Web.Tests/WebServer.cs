using Microsoft.Playwright;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Index;
using SemanticRouter.Server.Tests.EndToEnd;
using SemanticRouter.Tests;

namespace SemanticRouter.Web.Tests;

/// <summary>
/// One real `semantic-router serve --web` process over the example routes (indexed with the shared MiniLM model),
/// with an API key and an admin key, on 127.0.0.1 with ports the system picks; and Debian's chromium driven by
/// Playwright (never a downloaded browser: <see cref="Chromium"/>). Disposing kills the server by its process id
/// and closes the browser.
/// </summary>
public sealed class WebServer : IAsyncLifetime
{
    public const string ApiKey = "read-key-0123456789abcdef";
    public const string AdminKey = "admin-key-0123456789abcdef";

    private readonly TestDirectory _dir = new();
    private ServeProcess? _serve;
    private IPlaywright? _playwright;

    /// <summary>The browser: $SEMANTIC_ROUTER_CHROMIUM, else Debian's /usr/bin/chromium.</summary>
    public static string Chromium => Environment.GetEnvironmentVariable("SEMANTIC_ROUTER_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    internal ServeProcess Serve => _serve ?? throw new InvalidOperationException("not started");

    /// <summary>The page's base address, e.g. http://127.0.0.1:41235/ui.</summary>
    public string Ui => new Uri(Serve.MetricsAddress, "/ui").ToString();

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        string index = Path.Combine(_dir.Path, "index");
        using (var encoder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 1 }))
        {
            IndexBuilder.Build(_dir.CopyExampleRoutes(), encoder, index, new HnswOptions { M = 12, EfConstruction = 100, Seed = 5 });
        }

        // The keys come from the environment, as an operator sets secrets; --web is the flag under test.
        _serve = await ServeProcess.StartAsync(
            ["--index", index, "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", "--web"],
            new Dictionary<string, string> { ["SemanticRouter__ApiKey"] = ApiKey, ["SemanticRouter__AdminKey"] = AdminKey });
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
    }

    /// <summary>A fresh browser context (its own cookies) with a laptop-sized window, and its first page.</summary>
    public async Task<(IBrowserContext Context, IPage Page)> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        context.SetDefaultTimeout(30_000);
        return (context, await context.NewPageAsync());
    }

    /// <summary>A page signed in with <paramref name="key"/> through the sign-in form, as a person does.</summary>
    public async Task<(IBrowserContext Context, IPage Page)> SignedInAsync(string key)
    {
        var (context, page) = await NewPageAsync();
        await page.GotoAsync(Ui + "/signin");
        await page.GetByLabel("Key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // The signed-in page is known by its content: a locator polls the DOM across the redirect. Waiting on the
        // navigation itself (WaitForURLAsync) raced with it twice in CI: when the URL already matched, Playwright
        // waited for a load state it had already passed (load, then commit) and timed out after the page was served.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();
        Assert.DoesNotContain("/signin", page.Url, StringComparison.Ordinal);
        return (context, page);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_serve is not null)
        {
            await _serve.DisposeAsync();
        }

        _dir.Dispose();
    }
}
