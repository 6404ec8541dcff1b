using Grpc.Net.Client;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>
/// What bounds the text outcome model's memory: a refit reads at most <c>TextModelMaxOutcomes</c> of the newest
/// outcomes with text (issue 27), in the background refit and at start-up, against a real `serve` process.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ServeTextModelCapTests : IDisposable
{
    private const string Fitted = "Text outcome model serving: fitted on ";

    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Refits_ReadAtMostTheConfiguredNewestTextOutcomes()
    {
        var ct = TestContext.Current.CancellationToken;
        string index = ExampleIndex.Build(_dir, ct);

        string[] Arguments(int? cap) =>
            ["--index", index, "--port", "0", "--metrics-port", "-1", "--intra-op-threads", "1", .. cap is { } n ? new[] { $"--SemanticRouter:TextModelMaxOutcomes={n}" } : []];

        // 100 outcomes with text make the background refit run (TextModelTrainer.RefitMinimum); it reads the newest 60.
        await using (var serve = await ServeProcess.StartAsync(Arguments(60)))
        {
            using var channel = GrpcChannel.ForAddress(serve.GrpcAddress);
            var client = new Router.RouterClient(channel);
            for (int i = 0; i < 100; i++)
            {
                await client.RecordOutcomeAsync(new RecordOutcomeRequest { Query = $"write a python function number {i} that sorts a list", Model = "gpt-4o-mini", Success = i % 3 != 0 }, cancellationToken: ct);
            }

            Assert.Equal("60 text outcomes, 1 model(s)", await FittedAsync(serve, ct));
        }

        // At start-up, over the same store: the cap is what limits the read.
        await using (var serve = await ServeProcess.StartAsync(Arguments(75)))
        {
            Assert.Equal("75 text outcomes, 1 model(s)", await FittedAsync(serve, ct));
        }

        await using (var serve = await ServeProcess.StartAsync(Arguments(null)))
        {
            Assert.Equal("100 text outcomes, 1 model(s)", await FittedAsync(serve, ct));
        }
    }

    [Fact]
    public async Task CapOutOfRange_RefusedAtStart_InOneLine()
    {
        var (exitCode, stdout, stderr) = await ServeProcess.RunToExitAsync(["--index", Path.Combine(_dir.Path, "index"), "--port", "0", "--metrics-port", "-1", "--SemanticRouter:TextModelMaxOutcomes=0"]);
        Assert.Equal(2, exitCode);
        Assert.Contains("SemanticRouter:TextModelMaxOutcomes (SEMANTIC_ROUTER_TEXT_MODEL_MAX_OUTCOMES) must be in 1..10000000 (or unset for the engine's default), not 0.", stderr + stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    /// <summary>What the first "fitted on" log line says ("60 text outcomes, 1 model(s)"), once the fit has run.</summary>
    private static async Task<string> FittedAsync(ServeProcess serve, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        while (true)
        {
            string output = serve.Output;
            int at = output.IndexOf(Fitted, StringComparison.Ordinal);
            if (at >= 0)
            {
                string rest = output[(at + Fitted.Length)..];
                int end = rest.IndexOf(", in ", StringComparison.Ordinal);
                return end >= 0 ? rest[..end] : rest;
            }

            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"no '{Fitted}' line within 2 minutes:\n{output}");
            }
        }
    }
}
