using System.Data.Common;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Engine;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Server.Metrics;

namespace SemanticRouter.Server.Composition;

/// <summary>
/// The router the server runs, built from its options and owned as a whole: the model folder (the one the
/// index records unless configured) → <see cref="SentenceEncoder"/> → <see cref="BatchingEmbeddingGenerator"/>
/// → <see cref="CachingEmbeddingGenerator"/> → <see cref="RouterEngine"/>. The decorators report batch sizes and
/// cache lookups to <see cref="RouterMetrics"/>; the server's limits (MaxK, MaxQueryBytes) are the engine's too.
/// </summary>
internal sealed class EngineStack : IDisposable
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;

    private EngineStack(RouterEngine engine, IEmbeddingGenerator<string, Embedding<float>> embedder)
    {
        Engine = engine;
        _embedder = embedder;
    }

    public RouterEngine Engine { get; }

    /// <exception cref="RouterStartupException">The index, the model or the outcome store cannot be opened; names the setting.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A ranking setting does not fit the index.</exception>
    public static EngineStack Open(RouterServerOptions server, EngineHostOptions engine, RankingHostOptions ranking, RouterMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(metrics);
        RouterArtifact artifact;
        ModelFolder folder;
        try
        {
            var manifest = RouterArtifact.ReadManifest(engine.Index);
            folder = OpenModel(engine.ModelDirectory ?? manifest.Model.Directory, engine.ModelDirectory is not null);
            artifact = RouterArtifact.Load(engine.Index, folder.Fingerprint);
        }
        catch (ArtifactException e)
        {
            throw new RouterStartupException(nameof(engine.Index), e.Message, e);
        }

        var settings = ServedRankingSettings.Resolve(ranking, artifact, server.MaxK);
        string described = settings.Describe();
        ServerLog.RankingSettings(logger, settings.Source, described);
        foreach (string warning in settings.Warnings)
        {
            ServerLog.RankingSettingIgnored(logger, warning);
        }

        // ONNX Runtime's threads spin inside a run (no OS wake-up per operator) and park as soon as it
        // returns, so they do not steal the cores Kestrel needs to send the answer (docs/grpc.md).
        var encoder = new SentenceEncoder(folder, new SentenceEncoderOptions { Spinning = IntraOpSpinning.DuringRun, IntraOpThreads = engine.IntraOpThreads });
        IEmbeddingGenerator<string, Embedding<float>> embedder = new BatchingEmbeddingGenerator(encoder, new BatchingEmbeddingOptions
        {
            MaxWait = TimeSpan.FromMilliseconds(engine.BatchWaitMs),
            OnBatch = metrics.ObserveBatch,
        });
        if (engine.EmbeddingCacheSize > 0)
        {
            embedder = new CachingEmbeddingGenerator(embedder, engine.EmbeddingCacheSize, metrics.RecordCacheLookup);
        }

        try
        {
            var router = new RouterEngine(
                new RouterEngineOptions
                {
                    IndexDirectory = artifact.Directory,
                    OutcomeDatabase = engine.OutcomeDatabase,
                    Ranking = settings.Options,
                    RouteHeadWeight = settings.RouteHeadWeight,
                    MaxK = server.MaxK,
                    MaxQueryBytes = server.MaxQueryBytes,
                    OnTextModelFitted = fit => ServerLog.TextModelFitted(logger, fit.Outcomes, fit.Models, fit.Elapsed.TotalSeconds),
                },
                embedder,
                artifact);
            return new EngineStack(router, embedder);
        }
        catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException)
        {
            embedder.Dispose(); // and the encoder under it
            throw new RouterStartupException(nameof(engine.OutcomeDatabase), $"cannot open the outcome store: {e.Message}", e);
        }
        catch
        {
            embedder.Dispose();
            throw;
        }
    }

    /// <summary>Disposes the engine, then the encoder stack under it (each decorator disposes its inner generator).</summary>
    public void Dispose()
    {
        Engine.Dispose();
        _embedder.Dispose();
    }

    private static ModelFolder OpenModel(string directory, bool configured)
    {
        try
        {
            return ModelFolder.Open(directory);
        }
        catch (ModelFolderException e)
        {
            // Unconfigured, the folder is the one the index records: the index setting is what to look at.
            throw new RouterStartupException(configured ? nameof(EngineHostOptions.ModelDirectory) : nameof(EngineHostOptions.Index),
                $"model folder {e.Message}{(configured ? "" : $" (the folder the index was built with; set {SettingNames.Section}:{nameof(EngineHostOptions.ModelDirectory)} if it moved)")}", e);
        }
    }
}
