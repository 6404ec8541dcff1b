using Grpc.Net.Client;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>
/// `semantic-router serve` as an operator starts it on bad artefacts: one line naming the setting, no stack trace,
/// a non-zero exit; and on the leftovers of a crash during AddUtterances, which it cleans up before serving.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ServeBadStartTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("corrupt-db", "SemanticRouter:OutcomeDatabase (SEMANTIC_ROUTER_OUTCOME_DATABASE): cannot open the outcome store:")]
    [InlineData("missing-index", "SemanticRouter:Index (SEMANTIC_ROUTER_INDEX):")]
    [InlineData("corrupt-manifest", "SemanticRouter:Index (SEMANTIC_ROUTER_INDEX):")]
    [InlineData("beyond-loopback", "SemanticRouter:Host (SEMANTIC_ROUTER_HOST) is '0.0.0.0', beyond loopback, and no API key is set")]
    public async Task BadStart_OneLineNamingTheSetting_NoStackTrace(string problem, string expected)
    {
        string index = BuildIndex();
        var arguments = new List<string> { "--index", index, "--port", "0", "--metrics-port", "-1" };
        switch (problem)
        {
            case "corrupt-db":
                string db = Path.Combine(_dir.Path, "corrupt.db");
                await File.WriteAllBytesAsync(db, [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 37))], TestContext.Current.CancellationToken);
                arguments.AddRange(["--db", db]);
                break;
            case "missing-index":
                arguments[1] = Path.Combine(_dir.Path, "no-such-index");
                break;
            case "corrupt-manifest":
                await File.WriteAllTextAsync(Path.Combine(index, "manifest.json"), "{ not json\n" + new string('x', 5000), TestContext.Current.CancellationToken);
                break;
            case "beyond-loopback":
                arguments.AddRange(["--host", "0.0.0.0"]);
                break;
        }

        var (exit, stdout, stderr) = await ServeProcess.RunToExitAsync(arguments);

        Assert.NotEqual(0, exit);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("semantic-router serve: " + expected, line, StringComparison.Ordinal);
        Assert.True(line.Length <= 600, line);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CrashLeftoversOfAnIndexRewrite_AreRecoveredAtStart()
    {
        string index = BuildIndex();
        // What a kill -9 between the two renames of the artefact swap leaves: the index renamed aside, a staged copy.
        string aside = Path.Combine(_dir.Path, ".index.old-0123456789abcdef");
        Directory.Move(index, aside);
        Directory.CreateDirectory(Path.Combine(_dir.Path, ".index.tmp-1-abcdef"));

        await using var serve = await ServeProcess.StartAsync(["--index", index, "--port", "0", "--metrics-port", "0"]);
        using var channel = GrpcChannel.ForAddress(serve.GrpcAddress);
        var routes = await new Router.RouterClient(channel).ListRoutesAsync(new ListRoutesRequest(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.NotEmpty(routes.Routes);
        Assert.Equal(["index", "routes"], Directory.EnumerateDirectories(_dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private string BuildIndex() => ExampleIndex.Build(_dir, TestContext.Current.CancellationToken);
}
