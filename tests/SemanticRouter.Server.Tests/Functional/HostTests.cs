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
        using var backend = new FakeBackend();
        var ex = Assert.Throws<OptionsValidationException>(() => RouterHost.CreateBuilder([], backend, new Dictionary<string, string?>
        {
            ["Port"] = "70000",
            ["MaxK"] = "0",
            ["ApiKey"] = "short",
            ["ResponseCompression"] = "brotli",
        }));
        Assert.Contains("SemanticRouter:Port (SEMANTIC_ROUTER_PORT) must be a TCP port in 0..65535, not 70000.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:MaxK (SEMANTIC_ROUTER_MAX_K) must be at least 1, not 0.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:ApiKey (SEMANTIC_ROUTER_API_KEY) must be at least 16 characters", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SemanticRouter:ResponseCompression (SEMANTIC_ROUTER_RESPONSE_COMPRESSION) must be 'gzip' or unset, not 'brotli'.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_EnvironmentThenCommandLineThenOverrides()
    {
        var environment = new System.Collections.Hashtable
        {
            ["SEMANTIC_ROUTER_MAX_QUERY_BYTES"] = "2048",
            ["SEMANTIC_ROUTER_DEFAULT_K"] = "5",
            ["SEMANTIC_ROUTER_MAX_K"] = "50",
            ["UNRELATED_MAX_K"] = "1",
        };
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder();
        RouterHost.AddRouterConfiguration(configuration, ["--SemanticRouter:DefaultK=7"], new Dictionary<string, string?> { ["MaxK"] = "40" }, environment);
        var options = RouterHost.ReadOptions(configuration.Build());
        Assert.Equal(2048, options.MaxQueryBytes);
        Assert.Equal(7, options.DefaultK);
        Assert.Equal(40, options.MaxK);
    }

    [Fact]
    public async Task BackendFactory_ReceivesRouterMetrics_HooksShowInMetrics()
    {
        SemanticRouter.Server.Metrics.RouterMetrics? seen = null;
        var builder = RouterHost.CreateBuilder([], sp =>
        {
            seen = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<SemanticRouter.Server.Metrics.RouterMetrics>(sp);
            return new FakeBackend();
        }, new Dictionary<string, string?> { ["Host"] = "127.0.0.1", ["Port"] = "0", ["MetricsPort"] = "0" });
        Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.UseTestServer(builder.WebHost);
        await using var app = RouterHost.Build(builder);
        await app.StartAsync().WithTimeout();
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<SemanticRouter.Server.Engine.IRouterBackend>(app.Services);
        Assert.NotNull(seen);
        seen.ObserveBatch(7);
        seen.RecordCacheLookup(hit: true);
        using var http = Microsoft.AspNetCore.TestHost.HostBuilderTestServerExtensions.GetTestServer(app).CreateClient();
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).WithTimeout();
        Assert.Contains("semantic_router_embedding_batch_size_sum 7", text, StringComparison.Ordinal);
        Assert.Contains("semantic_router_embedding_cache_hit_ratio 1", text, StringComparison.Ordinal);
        await app.StopAsync().WithTimeout();
    }

    [Fact]
    public async Task Shutdown_DrainsInFlightCalls()
    {
        var backend = new FakeBackend();
        var host = await TestHost.StartAsync(inProcess: false, backend: backend);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        backend.OnRank = async (q, ct) =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
            return backend.Rank(q);
        };
        var client = host.CreateClient();
        var call = client.RankModelsAsync(new RankModelsRequest { Query = "write code" }, deadline: Timeouts.Deadline);
        await started.Task.WithTimeout();
        var stopping = host.App.StopAsync();
        await Task.Delay(200);
        Assert.False(stopping.IsCompleted);
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
