using Grpc.Core;
using Grpc.Net.Client;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>A real `serve` process configured from every source at once, each winning where docs/grpc.md says it does.</summary>
public class ServeConfigurationTests
{
    [Fact]
    public async Task Serve_TakesAppSettingsEnvironmentCommandLineAndFlags_InTheDocumentedOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TestDirectory();
        string index = ExampleIndex.Build(dir, ct);

        const string Key = "a-key-from-a-secret-file-0123456789";
        string keyFile = dir.Write("secrets/api-key", Key + "\n");
        string work = Path.Combine(dir.Path, "work");
        dir.Write("work/appsettings.json", """
            {
              "SemanticRouter": {
                "Host": "127.0.0.1",
                "Port": 1,
                "MetricsPort": 0,
                "MaxQueryBytes": 2000,
                "DefaultK": 9,
                "EmbeddingCacheSize": 16
              }
            }
            """);
        var environment = new Dictionary<string, string>
        {
            ["SemanticRouter__DefaultK"] = "3",            // the standard form, over appsettings.json (9)
            ["SEMANTICROUTER__APIKEYFILE"] = keyFile,       // the standard form, upper case
            ["SEMANTIC_ROUTER_MAX_QUERY_BYTES"] = "3000",   // the older form, over appsettings.json (2000)
        };

        // --SemanticRouter:MaxQueryBytes=60 (the command line) wins over the environment; --port 0 (a flag) over appsettings.json's 1.
        await using var serve = await ServeProcess.StartAsync(["--index", index, "--port", "0", "--SemanticRouter:MaxQueryBytes=60"], environment, work);
        using var channel = GrpcChannel.ForAddress(serve.GrpcAddress);
        var client = new Router.RouterClient(channel);
        var auth = new Metadata { { "authorization", "Bearer " + Key } };

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => client.ListRoutesAsync(new ListRoutesRequest(), cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);

        var byDefault = await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function that reverses a list", IncludeNeighbors = true }, auth, cancellationToken: ct);
        Assert.Equal(3, byDefault.Neighbors.Count); // k = 0: the router's default k, set by configuration
        var atLimit = await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function that reverses " + new string('x', 60 - 38) }, auth, cancellationToken: ct);
        Assert.NotEmpty(atLimit.Models);
        var over = await Assert.ThrowsAsync<RpcException>(() => client.RankModelsAsync(new RankModelsRequest { Query = new string('x', 61) }, auth, cancellationToken: ct).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "query is 61 bytes of UTF-8; the limit is 60."), (over.StatusCode, over.Status.Detail));

        Assert.DoesNotContain(Key, serve.Output, StringComparison.Ordinal); // a secret is never logged
        Assert.Contains("api key required: True", serve.Output, StringComparison.Ordinal);
    }
}
