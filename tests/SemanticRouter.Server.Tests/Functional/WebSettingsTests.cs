using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Options;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Server.Tests.Infrastructure;

namespace SemanticRouter.Server.Tests.Functional;

/// <summary>The web page's settings and its shell over any router (here a fake): the browser tests are in SemanticRouter.Web.Tests.</summary>
public class WebSettingsTests
{
    [Fact]
    public void BadWebSettings_StopTheStart_NamingEach()
    {
        var key = Assert.Throws<OptionsValidationException>(() => RouterHost.CreateBuilder([], new FakeRouter(), new Dictionary<string, string?> { ["AdminKey"] = "short" }));
        Assert.Contains("SemanticRouter:AdminKey (SEMANTIC_ROUTER_ADMIN_KEY) must be at least 16 characters", key.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short", key.Message.Replace("must be at least 16", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var builder = RouterHost.CreateBuilder([], new FakeRouter(), new Dictionary<string, string?>
        {
            ["Host"] = "127.0.0.1",
            ["Port"] = "0",
            ["MetricsPort"] = "-1",
            ["Web:Enabled"] = "true",
            ["Web:MaxRequestBodyBytes"] = "10",
        });
        builder.WebHost.UseTestServer();
        var web = Assert.Throws<OptionsValidationException>(() => RouterHost.Build(builder)); // serve: exit code 2 and this line
        Assert.Contains("SemanticRouter:Web:Enabled (SEMANTIC_ROUTER_WEB__ENABLED) needs the HTTP port: SemanticRouter:MetricsPort (SEMANTIC_ROUTER_METRICS_PORT) is -1 (off).", web.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:Web:MaxRequestBodyBytes (SEMANTIC_ROUTER_WEB__MAX_REQUEST_BODY_BYTES) must be in 1024..1048576 bytes, not 10.", web.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebPage_OverAnyRouter_RanksThroughTheContract_AndIsOffByDefault()
    {
        await using (var off = await StartAsync(web: false))
        {
            using var http = off.GetTestServer().CreateClient();
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/ui", UriKind.Relative)).WithTimeout()).StatusCode);
        }

        await using var on = await StartAsync(web: true);
        using var client = on.GetTestServer().CreateClient();
        // No key configured: open to read, and the page says writes are off.
        var page = await client.GetStringAsync(new Uri("/ui?q=" + Uri.EscapeDataString("write some code"), UriKind.Relative)).WithTimeout();
        Assert.Matches("(?s)data-model=\"coder\".*data-model=\"large\".*data-model=\"small\"", page);
        Assert.Contains("Adding utterances is off: the server has no admin key", page, StringComparison.Ordinal);
        // What the contract does not answer, a router without IRouterInsight says it does not report.
        Assert.Contains("does not report outcome statistics", await client.GetStringAsync(new Uri("/ui/outcomes", UriKind.Relative)).WithTimeout(), StringComparison.Ordinal);
        // A refused query is a message and its status, not an error page.
        var refused = await client.GetAsync(new Uri("/ui?q=x&Candidates=nope", UriKind.Relative)).WithTimeout();
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("candidates names an unknown model &#x27;nope&#x27;", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<Microsoft.AspNetCore.Builder.WebApplication> StartAsync(bool web)
    {
        var builder = RouterHost.CreateBuilder([], new FakeRouter(), new Dictionary<string, string?>
        {
            ["Host"] = "127.0.0.1",
            ["Port"] = "0",
            ["MetricsPort"] = "0",
            ["Web:Enabled"] = web ? "true" : "false",
        });
        builder.WebHost.UseTestServer();
        var app = RouterHost.Build(builder);
        await app.StartAsync().WithTimeout();
        return app;
    }
}
