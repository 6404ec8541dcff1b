using Grpc.Core;
using Grpc.Net.Client;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Index;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>
/// One `semantic-router serve` process with the default settings an operator gets, plus an API key (from the
/// environment) and an admin key (from a file): the example routes indexed under an index root that also holds
/// the bad artefacts the reload cases ask for (corrupt, truncated, empty, symbolic links out of the root).
/// Shared by every case of a test class (a class fixture); disposing it stops the process by its id.
/// </summary>
public class ServedRouter : IAsyncLifetime
{
    public const string ApiKey = "bad-input-suite-api-key-0123456789";
    public const string AdminKey = "bad-input-suite-admin-key-0123456789";

    private readonly TestDirectory _dir = new();
    private GrpcChannel? _channel;

    internal ServeProcess Serve { get; private set; } = null!;

    public Router.RouterClient Client { get; private set; } = null!;

    public GrpcChannel Channel => _channel!;

    public string IndexRoot => Path.Combine(_dir.Path, "indexes");

    public string Index => Path.Combine(IndexRoot, "index");

    public Metadata Query { get; } = new() { { "authorization", "Bearer " + ApiKey } };

    public Metadata Admin { get; } = new() { { "authorization", "Bearer " + AdminKey } };

    /// <summary>Extra `serve` arguments a derived fixture adds (settings in .NET form).</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    public async ValueTask InitializeAsync()
    {
        string routes = _dir.CopyExampleRoutes();
        using (var encoder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 1 }))
        {
            IndexBuilder.Build(routes, encoder, Index, new HnswOptions { M = 8, EfConstruction = 64, Seed = 3 });
        }

        // The bad artefacts under the root.
        _dir.Write("indexes/corrupt/manifest.json", "{ this is not a manifest");
        Directory.CreateDirectory(Path.Combine(IndexRoot, "empty"));
        CopyDirectory(Index, Path.Combine(IndexRoot, "truncated"));
        string hnsw = Directory.EnumerateFiles(Path.Combine(IndexRoot, "truncated"), "*.hnsw").First();
        await using (var stream = new FileStream(hnsw, FileMode.Open))
        {
            stream.SetLength(stream.Length / 2);
        }

        File.CreateSymbolicLink(Path.Combine(IndexRoot, "escape"), "/etc");
        Directory.CreateDirectory(Path.Combine(IndexRoot, "sneaky"));
        File.CreateSymbolicLink(Path.Combine(IndexRoot, "sneaky", "manifest.json"), "/etc/hostname");

        string adminKeyFile = _dir.Write("secrets/admin-key", AdminKey + "\n");
        var environment = new Dictionary<string, string>
        {
            ["SEMANTIC_ROUTER_API_KEY"] = ApiKey,
            ["SemanticRouter__AdminKeyFile"] = adminKeyFile,
        };
        Serve = await ServeProcess.StartAsync(
            ["--index", Index, "--port", "0", "--metrics-port", "0", "--intra-op-threads", "1", .. ExtraArguments],
            environment,
            _dir.Path);
        _channel = GrpcChannel.ForAddress(Serve.GrpcAddress, new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
        Client = new Router.RouterClient(_channel);
    }

    /// <summary>A good call: it must answer after every bad one.</summary>
    public async Task AssertServingAsync(CancellationToken cancellationToken)
    {
        var reply = await Client.RankModelsAsync(new RankModelsRequest { Query = "write a python function that reverses a list" }, Query, DateTime.UtcNow.AddSeconds(30), cancellationToken);
        Assert.NotEmpty(reply.Models);
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (Serve is not null)
        {
            await Serve.DisposeAsync();
        }

        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
