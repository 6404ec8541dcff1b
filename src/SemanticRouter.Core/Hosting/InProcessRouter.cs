using Microsoft.Extensions.AI;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Engine;

namespace SemanticRouter.Hosting;

/// <summary>
/// The router in this process: a <see cref="RouterEngine"/> over a local index with the sentence model it was
/// built with, behind the same interfaces as the remote client, owning the encoder and the engine. Queries
/// that arrive together are embedded in one model run and repeated ones come from a cache, as in `serve`.
/// </summary>
/// <remarks>Thread-safe. Disposing it (more than once is fine: a container may hold it under several interfaces) closes the outcome store and the model.</remarks>
public sealed class InProcessRouter : ISemanticRouter, ISemanticRouterAdmin, IDisposable
{
    private readonly SentenceEncoder _encoder;
    private readonly BatchingEmbeddingGenerator _batching;
    private int _disposed;

    private InProcessRouter(SentenceEncoder encoder, BatchingEmbeddingGenerator batching, RouterEngine engine)
    {
        _encoder = encoder;
        _batching = batching;
        Engine = engine;
    }

    /// <summary>The engine, for what the contract does not cover (outcome counts, text model, …).</summary>
    public RouterEngine Engine { get; }

    private ISemanticRouter Router => Engine;

    private ISemanticRouterAdmin Admin => Engine;

    /// <summary>Loads the index and its model and starts the engine.</summary>
    /// <exception cref="ArgumentException">The options are not usable.</exception>
    /// <exception cref="RouterException">The index is missing, corrupt or built with another model (<see cref="RouterErrorCode.FailedPrecondition"/>).</exception>
    public static InProcessRouter Open(InProcessRouterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var manifest = RouterArtifact.ReadManifest(options.IndexDirectory);
        ModelFolder folder;
        try
        {
            folder = ModelFolder.Open(options.ModelDirectory ?? manifest.Model.Directory);
        }
        catch (ModelFolderException e)
        {
            throw new RouterException(RouterErrorCode.FailedPrecondition, $"model folder {e.Message}", e);
        }

        var artifact = RouterArtifact.Load(options.IndexDirectory, folder.Fingerprint);
        var encoder = new SentenceEncoder(folder, new SentenceEncoderOptions { IntraOpThreads = options.IntraOpThreads, LongInput = Startup.RouterStartup.LongInputOf(manifest, options.IndexDirectory) });
        BatchingEmbeddingGenerator? batching = null;
        try
        {
            batching = new BatchingEmbeddingGenerator(encoder);
            IEmbeddingGenerator<string, Embedding<float>> embedder = options.EmbeddingCacheSize > 0
                ? new CachingEmbeddingGenerator(batching, options.EmbeddingCacheSize)
                : batching;
            var engine = new RouterEngine(new RouterEngineOptions { IndexDirectory = artifact.Directory, OutcomeDatabase = options.OutcomeDatabase }, embedder, artifact);
            return new InProcessRouter(encoder, batching, engine);
        }
        catch
        {
            batching?.Dispose();
            encoder.Dispose();
            throw;
        }
    }

    public Task<RoutingDecision> RankAsync(RoutingRequest request, CancellationToken cancellationToken = default) => Router.RankAsync(request, cancellationToken);

    public Task<OutcomeReceipt> RecordOutcomeAsync(OutcomeReport report, CancellationToken cancellationToken = default) => Router.RecordOutcomeAsync(report, cancellationToken);

    public Task<NeighborReport> InspectNeighborsAsync(InspectRequest request, CancellationToken cancellationToken = default) => Router.InspectNeighborsAsync(request, cancellationToken);

    public Task<RouteListing> ListRoutesAsync(CancellationToken cancellationToken = default) => Router.ListRoutesAsync(cancellationToken);

    public Task<UtterancesAdded> AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken = default) =>
        Admin.AddUtterancesAsync(route, utterances, cancellationToken);

    public Task<IndexReloaded> ReloadIndexAsync(string? path, CancellationToken cancellationToken = default) => Admin.ReloadIndexAsync(path, cancellationToken);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Engine.Dispose();
        _batching.Dispose();
        _encoder.Dispose();
    }
}
