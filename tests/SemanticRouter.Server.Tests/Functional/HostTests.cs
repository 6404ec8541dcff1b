using Grpc.Core;
using Microsoft.Extensions.Options;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Server.Tests.Infrastructure;

namespace SemanticRouter.Server.Tests.Functional;

public class HostTests
{
    [Fact]
    public void CreateBuilder_InvalidOptions_ThrowsNamingEverySetting()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => RouterHost.CreateBuilder([], new FakeRouter(), new Dictionary<string, string?>
        {
            ["Port"] = "70000",
            ["MaxQueryBytes"] = "0",
            ["ApiKey"] = "short",
            ["ResponseCompression"] = "brotli",
        }));
        Assert.Contains("SemanticRouter:Port (SEMANTIC_ROUTER_PORT) must be a TCP port in 0..65535, not 70000.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:MaxQueryBytes (SEMANTIC_ROUTER_MAX_QUERY_BYTES) must be in 1..MaxReceiveMessageSize (1048576), not 0.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:ApiKey (SEMANTIC_ROUTER_API_KEY) must be at least 16 characters", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:ResponseCompression (SEMANTIC_ROUTER_RESPONSE_COMPRESSION) must be 'gzip' or unset, not 'brotli'.", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short", ex.Message.Replace("must be at least 16", "", StringComparison.Ordinal), StringComparison.Ordinal); // the secret itself is never echoed
    }

    [Theory]
    [InlineData("*")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("192.0.2.10")]
    public void CreateBuilder_BeyondLoopbackWithoutApiKey_IsRefused(string host)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => RouterHost.CreateBuilder([], new FakeRouter(), new Dictionary<string, string?> { ["Host"] = host }));
        Assert.Equal(
            $"SemanticRouter:Host (SEMANTIC_ROUTER_HOST) is '{host}', beyond loopback, and no API key is set: set SemanticRouter:ApiKey (SEMANTIC_ROUTER_API_KEY) or ApiKeyFile, or SemanticRouter:AllowUnauthenticated (SEMANTIC_ROUTER_ALLOW_UNAUTHENTICATED)=true to serve without one.",
            Assert.Single(ex.Failures));
    }

    [Theory]
    [InlineData("127.0.0.1", null, null)]
    [InlineData("localhost", null, null)]
    [InlineData("::1", null, null)]
    [InlineData("*", "an-api-key-of-16-chars-or-more", null)]
    [InlineData("0.0.0.0", null, "true")]
    public void CreateBuilder_LoopbackOrKeyedOrExplicitlyOpen_IsAccepted(string host, string? apiKey, string? allowUnauthenticated)
    {
        var builder = RouterHost.CreateBuilder([], new FakeRouter(), new Dictionary<string, string?>
        {
            ["Host"] = host,
            ["ApiKey"] = apiKey,
            ["AllowUnauthenticated"] = allowUnauthenticated,
        });
        Assert.NotNull(builder);
    }

    [Fact]
    public void Host_DefaultsToLoopback() => Assert.Equal("127.0.0.1", new RouterServerOptions().Host);

    [Fact]
    public void CreateBuilder_InvalidEngineAndRankingSettings_ThrowsNamingEverySetting()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => RouterHost.CreateBuilder([], new Dictionary<string, string?>
        {
            ["EmbeddingCacheSize"] = "-1",
            ["BatchWaitMs"] = "1000",
            ["IntraOpThreads"] = "0",
            ["IntraOpSpinning"] = "sometimes",
            ["TextModelMaxTextChars"] = "10",
            ["Temperature"] = "-1",
            ["ConversationDecay"] = "1",
            ["RankingOptionsFile"] = "/nonexistent/ranking-options.json",
            ["DefaultK"] = "1001",
            ["RouteHeadWeight"] = "2",
            ["CostWeight"] = "-1",
        }));
        Assert.Contains("SemanticRouter:EmbeddingCacheSize (SEMANTIC_ROUTER_EMBEDDING_CACHE_SIZE) must be 0 (no cache) or a positive number of query embeddings, not -1.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:BatchWaitMs (SEMANTIC_ROUTER_BATCH_WAIT_MS) must be in 0..50, not 1000.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:IntraOpThreads (SEMANTIC_ROUTER_INTRA_OP_THREADS) must be at least 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:IntraOpSpinning (SEMANTIC_ROUTER_INTRA_OP_SPINNING) must be never, during-run or always (or unset for never), not 'sometimes'.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:TextModelMaxTextChars (SEMANTIC_ROUTER_TEXT_MODEL_MAX_TEXT_CHARS) must be in 1000000..10000000000", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:Temperature (SEMANTIC_ROUTER_TEMPERATURE) -1: Temperature must be positive and finite.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:ConversationDecay (SEMANTIC_ROUTER_CONVERSATION_DECAY) 1: ConversationDecay must be in [0, 1).", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:RankingOptionsFile (SEMANTIC_ROUTER_RANKING_OPTIONS_FILE) cannot be read: '/nonexistent/ranking-options.json'", ex.Message, StringComparison.Ordinal);
        // One maximum k everywhere (RankingOptions.MaxK): the default k too.
        Assert.Contains("SemanticRouter:DefaultK (SEMANTIC_ROUTER_DEFAULT_K) 1001: K must be in [1, 1000].", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:RouteHeadWeight (SEMANTIC_ROUTER_ROUTE_HEAD_WEIGHT) 2: RouteHeadWeight must be in [0, 1].", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:CostWeight (SEMANTIC_ROUTER_COST_WEIGHT) -1: CostWeight must be non-negative and finite.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_FileThenEnvironmentThenCommandLineThenOverrides()
    {
        var environment = new System.Collections.Hashtable
        {
            ["SEMANTIC_ROUTER_MAX_QUERY_BYTES"] = "2048",
            ["SEMANTIC_ROUTER_DEFAULT_K"] = "5",
            ["SEMANTIC_ROUTER_PORT"] = "5000",
            ["SEMANTIC_ROUTER_EMBEDDING_CACHE_SIZE"] = "128",
            ["SEMANTIC_ROUTER_INDEX"] = "/srv/index-from-environment",
            ["UNRELATED_PORT"] = "1",
        };
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder();
        Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(configuration, new Dictionary<string, string?>
        {
            // appsettings.json and SemanticRouter__* variables come first (the host's own sources)
            ["SemanticRouter:MaxQueryBytes"] = "1024",
            ["SemanticRouter:Temperature"] = "0.3",
            ["SemanticRouter:BatchWaitMs"] = "5",
        });
        RouterConfiguration.AddSources(configuration, ["--SemanticRouter:DefaultK=7"], new Dictionary<string, string?> { ["Port"] = "40", ["EmbeddingCacheSize"] = "0" }, environment);
        var settings = RouterConfiguration.ReadSettings(configuration.Build());
        Assert.Equal(2048, settings.Server.MaxQueryBytes);        // SEMANTIC_ROUTER_* over the host's sources
        Assert.Equal(7, settings.Ranking.DefaultK);                // the command line over the environment
        Assert.Equal(40, settings.Server.Port);                    // overrides (serve's flags) over everything
        Assert.Equal(0, settings.Engine.EmbeddingCacheSize);
        Assert.Equal("/srv/index-from-environment", settings.Engine.Index);
        Assert.Equal(0.3, settings.Ranking.Temperature);           // set in one place only
        Assert.Equal(5, settings.Engine.BatchWaitMs);
        Assert.Null(settings.Ranking.FallbackRoute);               // unset: the index's settings or the defaults decide
    }

    [Fact]
    public async Task ApiKeyFile_IsTheKey_AndNeverLogged()
    {
        using var dir = new SemanticRouter.Tests.TestDirectory();
        const string Key = "key-from-a-mounted-secret-0123456789";
        string file = dir.Write("api-key", Key + "\n");
        await using var host = await TestHost.StartAsync(inProcess: true, new() { ["ApiKeyFile"] = file });
        var client = host.CreateClient();

        var denied = await Assert.ThrowsAsync<RpcException>(() => client.ListRoutesAsync(new ListRoutesRequest(), deadline: Timeouts.Deadline).ResponseAsync.WithTimeout());
        Assert.Equal(StatusCode.Unauthenticated, denied.StatusCode);
        var routes = await client.ListRoutesAsync(new ListRoutesRequest(), new Metadata { { "authorization", "Bearer " + Key } }, Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal(2, routes.Routes.Count);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Message.Contains(Key, StringComparison.Ordinal));

        string shortKey = dir.Write("short-key", "too-short");
        var both = Assert.Throws<OptionsValidationException>(() => RouterHost.CreateBuilder([], new FakeRouter(), new Dictionary<string, string?> { ["ApiKey"] = Key, ["ApiKeyFile"] = file }));
        Assert.Contains("SemanticRouter:ApiKeyFile (SEMANTIC_ROUTER_API_KEY_FILE) and SemanticRouter:ApiKey are both set; set one.", both.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<OptionsValidationException>(() => RouterHost.CreateBuilder([], new FakeRouter(), new Dictionary<string, string?> { ["ApiKeyFile"] = "/nonexistent/key" }));
        Assert.Contains("SemanticRouter:ApiKeyFile (SEMANTIC_ROUTER_API_KEY_FILE) cannot be read: '/nonexistent/key'", missing.Message, StringComparison.Ordinal);
        var weak = Assert.Throws<OptionsValidationException>(() => RouterHost.CreateBuilder([], new FakeRouter(), new Dictionary<string, string?> { ["ApiKeyFile"] = shortKey }));
        Assert.Contains("SemanticRouter:ApiKeyFile (SEMANTIC_ROUTER_API_KEY_FILE) holds a secret that must be at least 16 characters", weak.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("too-short", weak.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RouterFactory_ReceivesRouterMetrics_HooksShowInMetrics()
    {
        SemanticRouter.Server.Metrics.RouterMetrics? seen = null;
        var builder = RouterHost.CreateBuilder([], sp =>
        {
            seen = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<SemanticRouter.Server.Metrics.RouterMetrics>(sp);
            return new FakeRouter();
        }, new Dictionary<string, string?> { ["Host"] = "127.0.0.1", ["Port"] = "0", ["MetricsPort"] = "0" });
        Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.UseTestServer(builder.WebHost);
        await using var app = RouterHost.Build(builder);
        await app.StartAsync().WithTimeout();
        Assert.NotNull(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ISemanticRouter>(app.Services));
        Assert.NotNull(seen); // opened when the host started, before the first call
        seen.ObserveBatch(7);
        seen.RecordCacheLookup(hit: true);
        using var http = Microsoft.AspNetCore.TestHost.HostBuilderTestServerExtensions.GetTestServer(app).CreateClient();
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).WithTimeout();
        Assert.Contains("semantic_router_embedding_batch_size_sum 7", text, StringComparison.Ordinal);
        Assert.Contains("semantic_router_embedding_cache_hit_ratio 1", text, StringComparison.Ordinal);
        Assert.Contains("semantic_router_index_info{version=\"v1\"} 1", text, StringComparison.Ordinal); // reported at start
        Assert.Contains("semantic_router_index_utterances 6", text, StringComparison.Ordinal);
        await app.StopAsync().WithTimeout();
    }

    [Fact]
    public async Task Shutdown_DrainsInFlightCalls()
    {
        var router = new FakeRouter();
        var host = await TestHost.StartAsync(inProcess: false, router: router);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        router.OnRank = async (q, ct) =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
            return router.Rank(q);
        };
        var client = host.CreateClient();
        var call = client.RankModelsAsync(new RankModelsRequest { Query = "write code" }, deadline: Timeouts.Deadline);
        await started.Task.WithTimeout();
        var stopping = host.App.StopAsync();
        await Task.Delay(200);
        Assert.False(stopping.IsCompleted);
        Assert.False(host.Readiness.IsReady); // health checks say NOT_SERVING while the call drains
        release.SetResult();
        var response = await call.ResponseAsync.WithTimeout();
        Assert.Equal("coder", response.Models[0].Model);
        await stopping.WithTimeout();
        await host.DisposeAsync();
    }

    [Fact]
    public async Task MetricsPort_DoesNotServeGrpc_GrpcPortDoesNotServeMetrics()
    {
        await using var host = await TestHost.StartAsync(inProcess: false);
        using var http = host.CreateHttpClient(host.GrpcAddress);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Version = new Version(2, 0), VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await http.SendAsync(request).WithTimeout();
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);

        using var metrics = new HttpClient { BaseAddress = host.MetricsAddress, Timeout = Timeouts.Default };
        using var grpcOnMetrics = await metrics.PostAsync(new Uri("/semantic_router.v1.Router/ListRoutes", UriKind.Relative), new ByteArrayContent([0, 0, 0, 0, 0])).WithTimeout();
        Assert.NotEqual(System.Net.HttpStatusCode.OK, grpcOnMetrics.StatusCode);

        var routes = await host.CreateClient().ListRoutesAsync(new ListRoutesRequest(), deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal(2, routes.Routes.Count);
    }

    [Fact]
    public async Task Tls_WithCertificate_ServesGrpcOverHttps()
    {
        var path = Path.Combine(Path.GetTempPath(), $"semantic-router-test-{Guid.NewGuid():N}.pfx");
        string thumbprint;
        using (var rsa = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            thumbprint = certificate.GetCertHashString();
            await File.WriteAllBytesAsync(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pw"));
        }

        try
        {
            await using var host = await TestHost.StartAsync(inProcess: false, new() { ["CertificatePath"] = path, ["CertificatePassword"] = "pw" });
            Assert.Equal("https", host.GrpcAddress.Scheme);
            var channel = host.CreateChannel(o => o.HttpHandler = new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == thumbprint },
            });
            var response = await new Router.RouterClient(channel).RankModelsAsync(new RankModelsRequest { Query = "write code" }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
            Assert.Equal("coder", response.Models[0].Model);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
