using System.Globalization;
using System.Net;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using SemanticRouter.Client;

namespace SemanticRouter.Web.Tests;

/// <summary>
/// The web page (issue 33) in a real browser against a real `serve --web` process: what it shows is what the
/// router answers over gRPC, an added utterance shows up among the neighbours, nothing changes without the admin
/// key, and every view works without a script error, an external request or an axe violation.
/// </summary>
[Trait("Category", "EndToEnd")] // a serve process and chromium: ./test.sh --all
public sealed class WebPageTests(WebServer server) : IClassFixture<WebServer>
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    [Fact]
    public async Task Rank_ShowsTheModelsRouteAndNeighboursTheRouterGives()
    {
        const string query = "write a python function that merges two sorted lists";
        var (context, page) = await server.SignedInAsync(WebServer.ApiKey); // the API key may look and rank
        await using var _ = context;
        await page.GotoAsync(server.Ui);
        await page.GetByLabel("Query", new() { Exact = true }).FillAsync(query);
        await page.GetByRole(AriaRole.Button, new() { Name = "Rank" }).ClickAsync();
        await page.Locator("#ranking").WaitForAsync();

        var shownModels = await page.Locator("#ranking tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.model)");
        var shownScores = await page.Locator("#ranking tbody [data-field=score]").AllTextContentsAsync();
        var shownQuality = await page.Locator("#ranking tbody [data-field=quality]").AllTextContentsAsync();
        var shownUtterances = await page.Locator("#neighbors tbody [data-field=utterance]").AllTextContentsAsync();
        var shownSimilarity = await page.Locator("#neighbors tbody [data-field=similarity]").AllTextContentsAsync();
        var shownWeights = await page.Locator("#neighbors tbody [data-field=weight]").AllTextContentsAsync();

        using var client = new RouterClient(new RouterClientOptions { Address = server.Serve.GrpcAddress, ApiKey = WebServer.ApiKey });
        var decision = await client.RankAsync(new RoutingRequest(query) { IncludeNeighbors = true });
        Assert.Equal(decision.Models.Select(m => m.Model), shownModels);
        Assert.Equal(decision.Models.Select(m => m.Score.ToString("F4", Invariant)), shownScores);
        Assert.Equal(decision.Models.Select(m => m.Quality.ToString("F4", Invariant)), shownQuality);
        Assert.Equal("coding", decision.Route.Route);
        Assert.Equal(decision.Route.Route, await page.Locator("#verdict [data-field=route]").TextContentAsync());
        Assert.Equal(decision.Route.Confidence.ToString("F4", Invariant), await page.Locator("#verdict [data-field=confidence]").First.TextContentAsync());
        Assert.Equal(decision.IndexVersion, await page.Locator("#verdict [data-field=index-version]").TextContentAsync());
        Assert.Equal(decision.Neighbors.Select(n => n.Utterance), shownUtterances);
        Assert.Equal(decision.Neighbors.Select(n => n.Similarity.ToString("F4", Invariant)), shownSimilarity);
        Assert.Equal(decision.Neighbors.Select(n => n.Weight.ToString("F4", Invariant)), shownWeights);
        // Read-only: the API key gets no form that writes.
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Add utterance" }).CountAsync());
        Assert.Contains("Sign in with the admin key", await page.Locator("#content").TextContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddUtterance_WithTheAdminKey_ShowsItAmongTheQuerysNeighbours()
    {
        const string query = "animate the orbit of a comet around two suns with matplotlib";
        var (context, page) = await server.SignedInAsync(WebServer.AdminKey);
        await using var _ = context;
        await page.GotoAsync(server.Ui + "?q=" + Uri.EscapeDataString(query));
        Assert.DoesNotContain(query, await page.Locator("#neighbors tbody [data-field=utterance]").AllTextContentsAsync());

        await page.GetByLabel("Add the query as an utterance of").SelectOptionAsync("coding");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add utterance" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Added 1 utterance(s) to coding");

        // The same query, ranked again on the new index: the new utterance is its nearest neighbour.
        Assert.Equal(query, await page.Locator("#neighbors tbody [data-field=utterance]").First.TextContentAsync());
        Assert.Equal("1.0000", await page.Locator("#neighbors tbody [data-field=similarity]").First.TextContentAsync());
        using var client = new RouterClient(new RouterClientOptions { Address = server.Serve.GrpcAddress, ApiKey = WebServer.ApiKey });
        var inspected = await client.InspectNeighborsAsync(new InspectRequest(query));
        Assert.Equal(query, inspected.Neighbors[0].Utterance);

        // The route lists it, and finds it by a word of it.
        await page.GotoAsync(server.Ui + "/routes/coding");
        await page.GetByLabel("Containing").FillAsync("comet");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        Assert.Equal([query], await page.Locator("#utterances li").AllTextContentsAsync());
    }

    [Fact]
    public async Task WithoutTheAdminKey_NothingIsChanged_AndWithoutAKeyNothingIsShown()
    {
        using var client = new RouterClient(new RouterClientOptions { Address = server.Serve.GrpcAddress, ApiKey = WebServer.ApiKey });
        int before = (await client.ListRoutesAsync()).Routes.Single(r => r.Name == "chitchat").UtteranceCount;

        // A browser without a key sees the sign-in page, not the router; a wrong key is refused.
        var (anonymous, page) = await server.NewPageAsync();
        await using (anonymous)
        {
            await page.GotoAsync(server.Ui + "/routes");
            Assert.Contains("/ui/signin", page.Url, StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator("#routes").CountAsync());
            await page.GetByLabel("Key").FillAsync("not-the-key-0123456789");
            var refused = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(),
                r => r.Request.Method == "POST");
            Assert.Equal(401, refused.Status);
            Assert.Equal("That key is not accepted.", await page.GetByRole(AriaRole.Alert).TextContentAsync());
        }

        // Signed in with the API key: an add is refused (the cookie is only a reader's), token or not.
        var (reader, _) = await server.SignedInAsync(WebServer.ApiKey);
        await using (reader)
        {
            var response = await reader.APIRequest.PostAsync(server.Ui + "/admin/utterances", new() { Form = Form(reader.APIRequest, "chitchat", "tell me a joke about reader keys"), MaxRedirects = 0 });
            Assert.True(response.Status is 302 or 403, $"status {response.Status}");
            Assert.DoesNotContain("/ui/routes/chitchat", response.Headers.GetValueOrDefault("location") ?? string.Empty, StringComparison.Ordinal);
        }

        // Signed in with the admin key, a post without the form's antiforgery token is refused (cross-site request forgery).
        var (admin, _) = await server.SignedInAsync(WebServer.AdminKey);
        await using (admin)
        {
            var forged = await admin.APIRequest.PostAsync(server.Ui + "/admin/utterances", new() { Form = Form(admin.APIRequest, "chitchat", "tell me a joke about forged forms"), MaxRedirects = 0 });
            Assert.Equal(400, forged.Status);
        }

        // Scripts: no key, a reader's key, the admin key.
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };
        async Task<HttpResponseMessage> PostAsync(string? key, string text)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, server.Ui + "/admin/utterances")
            {
                Content = new FormUrlEncodedContent([new("Route", "chitchat"), new("Utterances", text)]),
            };
            if (key is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            }

            return await http.SendAsync(request);
        }

        using (var none = await PostAsync(null, "tell me a joke about no key"))
        {
            Assert.Equal(HttpStatusCode.Redirect, none.StatusCode);
            Assert.Contains("/ui/signin", none.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        using (var wrong = await PostAsync("wrong-key-0123456789abcdef", "tell me a joke about wrong keys"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var read = await PostAsync(WebServer.ApiKey, "tell me a joke about read keys"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        }

        Assert.Equal(before, (await client.ListRoutesAsync()).Routes.Single(r => r.Name == "chitchat").UtteranceCount);
        using (var added = await PostAsync(WebServer.AdminKey, "tell me a joke about admin keys"))
        {
            Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
            Assert.Equal("/ui/routes/chitchat?added=1", added.Headers.Location!.ToString());
        }

        Assert.Equal(before + 1, (await client.ListRoutesAsync()).Routes.Single(r => r.Name == "chitchat").UtteranceCount);

        // A body over the page's limit (64 KiB) is refused before it is read.
        using var big = new HttpRequestMessage(HttpMethod.Post, server.Ui + "/signin")
        {
            Content = new StringContent("Key=" + new string('k', 200_000), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        using var tooBig = await http.SendAsync(big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
    }

    [Fact]
    public async Task EveryView_HasNoScriptErrorNoExternalRequestNoAxeViolation_AndIsScreenshotted()
    {
        // Some outcomes first, so the outcomes view has a chart and numbers.
        using var client = new RouterClient(new RouterClientOptions { Address = server.Serve.GrpcAddress, ApiKey = WebServer.ApiKey });
        string[] prompts = ["fix the bug in this rust borrow checker error", "summarise this article about tides", "what is the derivative of x squared", "tell me about your weekend"];
        for (int i = 0; i < 16; i++)
        {
            var ranked = await client.RankAsync(new RoutingRequest(prompts[i % prompts.Length]));
            await client.RecordOutcomeAsync(OutcomeReport.ForRequest(ranked.RequestId, ranked.Models[i % 2].Model, success: i % 3 != 0));
        }

        var (context, page) = await server.SignedInAsync(WebServer.AdminKey);
        await using var _ = context;
        var problems = new List<string>();
        var origin = new Uri(server.Ui).GetLeftPart(UriPartial.Authority);
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add($"console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        context.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(origin, StringComparison.Ordinal))
            {
                problems.Add($"external request: {request.Url}");
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Add($"HTTP {response.Status}: {response.Url}");
            }
        };

        string shots = Environment.GetEnvironmentVariable("SEMANTIC_ROUTER_WEB_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "semantic-router-web-screenshots");
        Directory.CreateDirectory(shots);
        (string Name, string Path, string Heading)[] views =
        [
            ("try", "?q=" + Uri.EscapeDataString("fix the bug in this rust borrow checker error"), "Try a query"),
            ("routes", "/routes", "Routes"),
            ("route", "/routes/coding", "Route coding"),
            ("outcomes", "/outcomes", "Outcomes"),
            ("index", "/index", "Index"),
        ];
        foreach (var (name, path, heading) in views)
        {
            var response = await page.GotoAsync(server.Ui + path);
            Assert.Equal(200, response!.Status);
            Assert.Equal(heading, (await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).TextContentAsync())?.Trim());
            if (name == "outcomes")
            {
                Assert.True(await page.Locator("#chart rect.success").CountAsync() > 0, "no successes in the chart");
                Assert.True(await page.Locator("#recent-outcomes tbody tr").CountAsync() >= 16);
            }

            var axe = await page.RunAxe();
            Assert.True(axe.Violations.Length == 0, $"{name}: " + string.Join("; ", axe.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, $"web-{name}.png"), FullPage = name == "try" });
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Keyboard_SkipsToTheContent_AndRanksWithoutAMouse()
    {
        var (context, page) = await server.SignedInAsync(WebServer.ApiKey);
        await using var _ = context;
        await page.GotoAsync(server.Ui);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("q", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.TypeAsync("write a python function that merges two sorted lists");
        await page.Keyboard.PressAsync("Tab"); // the details' summary
        await page.Keyboard.PressAsync("Tab"); // Rank
        Assert.Equal("Rank", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#ranking").WaitForAsync();
        Assert.Equal("coding", await page.Locator("#verdict [data-field=route]").TextContentAsync());
    }

    private static IFormData Form(IAPIRequestContext api, string route, string text)
    {
        var form = api.CreateFormData();
        form.Set("Route", route);
        form.Set("Utterances", text);
        return form;
    }
}
