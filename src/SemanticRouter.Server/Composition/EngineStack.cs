using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Engine;
using SemanticRouter.Outcomes;
using SemanticRouter.Outcomes.Redis;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Server.Metrics;
using SemanticRouter.Settings;

namespace SemanticRouter.Server.Composition;

/// <summary>
/// The router the server runs, built from its options and owned as a whole: the model folder (the one the
/// index records unless configured, and refused unless it is that model) and the index, loaded by the engine's
/// <see cref="Startup.RouterStartup.Load"/> (the one loading path; its phases are logged) → <see cref="SentenceEncoder"/> → <see cref="BatchingEmbeddingGenerator"/>
/// → <see cref="CachingEmbeddingGenerator"/> → <see cref="RouterEngine"/>. The decorators report batch sizes and
/// cache lookups to <see cref="RouterMetrics"/>; the server's MaxQueryBytes is the engine's too. The ranking
/// settings are the engine's to resolve (<see cref="RankingSettingsResolver"/>): the server hands it the configured
/// settings file and settings, and logs what it resolved. The text outcome model reads at most
/// <see cref="EngineHostOptions.TextModelMaxOutcomes"/> outcomes and <see cref="EngineHostOptions.TextModelMaxTextChars"/> characters of their texts per refit.
/// </summary>
internal sealed class EngineStack : IDisposable
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;

    /// <summary>The engine's own defaults, for settings the configuration leaves unset (one place keeps each default).</summary>
    private static readonly RouterEngineOptions EngineDefaults = new() { IndexDirectory = "." };

    private EngineStack(RouterEngine engine, IEmbeddingGenerator<string, Embedding<float>> embedder, ServedModel model)
    {
        Engine = engine;
        _embedder = embedder;
        Model = model;
    }

    public RouterEngine Engine { get; }

    /// <summary>The model the encoder runs (start-up log, health details, <c>/metrics</c>).</summary>
    public ServedModel Model { get; }

    /// <exception cref="RouterStartupException">The index, the model or the outcome store cannot be opened; names the setting.</exception>
    /// <exception cref="OptionsValidationException">A ranking setting does not fit the index (a fallback route it does not have); names the setting.</exception>
    /// <param name="server">The host's settings (the engine takes its query size limit).</param>
    /// <param name="engine">The index, model, outcome store and encoder settings.</param>
    /// <param name="ranking">The ranking settings and settings file.</param>
    /// <param name="metrics">Where batch sizes and cache lookups are reported.</param>
    /// <param name="logger">The start-up log (model, phases, resolved ranking settings).</param>
    /// <param name="early">The index and model load `serve` began while its host was built, taken when it is for these
    /// settings (null, or for others: loaded here; whoever began it disposes it if it is not taken).</param>
    public static EngineStack Open(RouterServerOptions server, EngineHostOptions engine, RankingHostOptions ranking, RouterMetrics metrics, ILogger logger, EarlyEngineLoad? early = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(metrics);
        var settingsFile = ReadSettingsFile(ranking.RankingOptionsFile);
        var loaded = early is not null && early.IsFor(engine) ? early.Take() : Load(engine);
        LogLoaded(loaded, logger);
        var artifact = loaded.Artifact;
        var encoder = loaded.Encoder;
        IEmbeddingGenerator<string, Embedding<float>> embedder = new BatchingEmbeddingGenerator(encoder, new BatchingEmbeddingOptions
        {
            MaxWait = TimeSpan.FromMilliseconds(engine.BatchWaitMs),
            OnBatch = metrics.ObserveBatch,
        });
        if (engine.EmbeddingCacheSize > 0)
        {
            embedder = new CachingEmbeddingGenerator(embedder, engine.EmbeddingCacheSize, metrics.RecordCacheLookup);
        }

        RouterEngine router;
        try
        {
            router = new RouterEngine(
                new RouterEngineOptions
                {
                    IndexDirectory = artifact.Directory,
                    OutcomeDatabase = engine.OutcomeDatabase,
                    OpenOutcomeStore = OutcomeStoreOf(engine, logger),
                    RankingSettings = settingsFile,
                    RankingOverrides = Overrides(ranking),
                    MaxQueryBytes = server.MaxQueryBytes,
                    TextModelMaxOutcomes = engine.TextModelMaxOutcomes ?? EngineDefaults.TextModelMaxOutcomes,
                    TextModelMaxTextChars = engine.TextModelMaxTextChars ?? EngineDefaults.TextModelMaxTextChars,
                    OnTextModelFitted = fit => ServerLog.TextModelFitted(logger, fit.Outcomes, fit.Models, fit.Elapsed.TotalSeconds),
                },
                embedder,
                artifact);
        }
        catch (RankingSettingsException e)
        {
            embedder.Dispose();
            throw Invalid(e);
        }
        catch (OutcomeStoreUnavailableException e)
        {
            embedder.Dispose();
            throw new RouterStartupException(nameof(engine.OutcomeRedis), $"cannot open the outcome store: {e.Message}", e);
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

        // What the engine resolved (RankingSettingsResolver: the one place that decides), for the start-up log.
        var settings = router.Settings;
        string source = ranking.RankingOptionsFile is { } path
            ? $"{SettingNames.Section}:{nameof(ranking.RankingOptionsFile)} {path}"
            : settings.SettingsSource ?? "the defaults";
        string described = Describe(settings);
        ServerLog.RankingSettings(logger, source, described);
        foreach (string warning in settings.Warnings)
        {
            ServerLog.RankingSettingIgnored(logger, warning);
        }

        return new EngineStack(router, embedder, ServedModel.Of(encoder));
    }

    /// <summary>
    /// The Redis store replicas share when <see cref="EngineHostOptions.OutcomeRedis"/> is configured (its
    /// value is a secret: only the key prefix is logged); null = the engine's SQLite store.
    /// </summary>
    private static Func<IOutcomeStore>? OutcomeStoreOf(EngineHostOptions engine, ILogger logger)
    {
        string? configuration;
        try
        {
            configuration = Secrets.OutcomeRedis(engine);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RouterStartupException(nameof(engine.OutcomeRedisFile), $"cannot read the file: {e.Message}", e);
        }

        if (configuration is null)
        {
            return null;
        }

        return () =>
        {
            var store = RedisOutcomeStore.Open(new RedisOutcomeStoreOptions
            {
                Configuration = configuration,
                KeyPrefix = engine.OutcomeRedisKeyPrefix,
                PollInterval = TimeSpan.FromMilliseconds(engine.OutcomeRedisPollMs),
            });
            ServerLog.OutcomeStoreShared(logger, engine.OutcomeRedisKeyPrefix, store.Count, engine.OutcomeRedisPollMs);
            return store;
        };
    }

    /// <summary>
    /// The index and the encoder, through the engine's one loading path (<see cref="Startup.RouterStartup.Load"/>: side by
    /// side, warmed up), after the model has been checked against the index. Logs nothing (it may run before the host has
    /// a logger: <see cref="EarlyEngineLoad"/>); <see cref="LogLoaded"/> reports it.
    /// </summary>
    /// <exception cref="RouterStartupException">The index or model cannot be opened, or the model is not the index's.</exception>
    internal static Startup.LoadedRouter Load(EngineHostOptions engine)
    {
        ArtifactManifest manifest;
        try
        {
            // Leftovers of a crash during an earlier AddUtterances (a half-done directory swap) go first.
            RouterArtifact.RecoverInterruptedWrite(engine.Index);
            manifest = RouterArtifact.ReadManifest(engine.Index);
        }
        catch (ArtifactException e)
        {
            throw new RouterStartupException(nameof(engine.Index), e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // e.g. the index directory is not readable, or its parent not writable for the crash recovery.
            throw new RouterStartupException(nameof(engine.Index), $"cannot open the index: {ErrorMessage.OneLine(e.Message)}", e);
        }

        bool configured = engine.ModelDirectory is not null;
        var folder = OpenModel(engine.ModelDirectory ?? manifest.Model.Directory, configured);
        RequireIndexModel(folder, configured, engine.Index, manifest);

        Startup.LoadedRouter loaded;
        try
        {
            // The encoder's own defaults (threads: the cores the process has; spinning: never, measured in
            // docs/encoder.md#threads-and-spinning) unless IntraOpThreads or IntraOpSpinning is set.
            loaded = Startup.RouterStartup.Load(engine.Index, folder, new SentenceEncoderOptions { IntraOpThreads = engine.IntraOpThreads, Spinning = engine.Spinning });
        }
        catch (ArtifactException e)
        {
            throw new RouterStartupException(nameof(engine.Index), e.Message, e);
        }
        catch (ModelFolderException e)
        {
            throw ModelFailure(e, configured);
        }

        return loaded;
    }

    /// <summary>Logs the model a load opened and where its time went.</summary>
    private static void LogLoaded(Startup.LoadedRouter loaded, ILogger logger)
    {
        var model = ServedModel.Of(loaded.Encoder);
        ServerLog.ModelLoaded(logger, model.Name, model.Sha256, model.Directory, model.IntraOpThreads, model.Spinning);
        foreach (string phase in loaded.Timings.Describe())
        {
            ServerLog.StartupPhase(logger, phase);
        }
    }

    /// <summary>
    /// Refuses, in one line naming both, a configured model (<c>--model</c>, <see cref="EngineHostOptions.ModelDirectory"/>
    /// or <c>$SEMANTIC_ROUTER_MODEL</c>) other than the one the index was built with, or an index's recorded folder
    /// that now holds another model: its queries' vectors would mean nothing to the index.
    /// </summary>
    private static void RequireIndexModel(ModelFolder folder, bool configured, string index, ArtifactManifest manifest)
    {
        if (string.Equals(folder.Fingerprint, manifest.Model.Fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (!configured)
        {
            throw new RouterStartupException(nameof(EngineHostOptions.Index),
                $"{manifest.Model.Directory}, the model folder the index {index} was built with, now holds another model.onnx (sha256 {Short(folder.Fingerprint)}…, the index has {Short(manifest.Model.Fingerprint)}…); rebuild the index or set {SettingNames.Section}:{nameof(EngineHostOptions.ModelDirectory)} to the index's model", null);
        }

        throw new RouterStartupException(nameof(EngineHostOptions.ModelDirectory),
            $"{folder.Directory} (sha256 {Short(folder.Fingerprint)}…) is not the model the index {index} was built with: {manifest.Model.Name} in {manifest.Model.Directory} (sha256 {Short(manifest.Model.Fingerprint)}…); give that model (--model, {SettingNames.EnvironmentPrefix}MODEL), or leave the setting unset to use it, or rebuild the index with this one", null);
    }

    private static string Short(string fingerprint) => fingerprint[..Math.Min(12, fingerprint.Length)];

    /// <summary>Disposes the engine, then the encoder stack under it (each decorator disposes its inner generator).</summary>
    public void Dispose()
    {
        Engine.Dispose();
        _embedder.Dispose();
    }

    /// <summary>The configured ranking settings as the resolver's explicit settings (each wins over the file and the defaults).</summary>
    private static RankingOverrides Overrides(RankingHostOptions ranking) => new()
    {
        K = ranking.DefaultK,
        Temperature = ranking.Temperature,
        UtteranceSmoothing = ranking.UtteranceSmoothing,
        RouteSmoothing = ranking.RouteSmoothing,
        TextModelWeight = ranking.TextModelWeight,
        RouteHeadWeight = ranking.RouteHeadWeight,
        CostWeight = ranking.CostWeight,
        DefaultThreshold = ranking.DefaultThreshold,
        FallbackRoute = ranking.FallbackRoute,
        ConversationDecay = ranking.ConversationDecay,
    };

    /// <summary>The configured settings file (it replaces the one the index carries); null when none is configured.</summary>
    /// <exception cref="RouterStartupException">The file cannot be read or is not valid (it was valid when the settings were validated).</exception>
    private static RankingSettingsFile? ReadSettingsFile(string? path)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            return RankingSettingsFile.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new RouterStartupException(nameof(RankingHostOptions.RankingOptionsFile), e.Message, e);
        }
    }

    /// <summary>A setting the resolver refused (e.g. a fallback route the index does not have), named as the configuration names it.</summary>
    private static OptionsValidationException Invalid(RankingSettingsException e)
    {
        string key = e.Key switch
        {
            "k" => nameof(RankingHostOptions.DefaultK),
            "temperature" => nameof(RankingHostOptions.Temperature),
            "utterance_smoothing" => nameof(RankingHostOptions.UtteranceSmoothing),
            "route_smoothing" => nameof(RankingHostOptions.RouteSmoothing),
            "text_model_weight" => nameof(RankingHostOptions.TextModelWeight),
            "route_head_weight" => nameof(RankingHostOptions.RouteHeadWeight),
            "cost_weight" => nameof(RankingHostOptions.CostWeight),
            "default_threshold" => nameof(RankingHostOptions.DefaultThreshold),
            "fallback_route" => nameof(RankingHostOptions.FallbackRoute),
            "conversation_decay" => nameof(RankingHostOptions.ConversationDecay),
            _ => nameof(RankingHostOptions.RankingOptionsFile),
        };
        string message = e.Key is null ? $"{SettingNames.Describe(key)}: {ErrorMessage.Of(e)}"
            : e.Key == "fallback_route" ? $"{SettingNames.Describe(key)} {e.Value} {e.Problem}"
            : $"{SettingNames.Describe(key)} {e.Value}: {e.Problem}";
        return new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(RankingHostOptions), [message]);
    }

    /// <summary>The resolved settings as one line for the start-up log, e.g. "default k 10, temperature 0.05, …".</summary>
    private static string Describe(ResolvedRanking settings)
    {
        var o = settings.Options;
        string routeHead = settings.RouteHead switch
        {
            RouteHeadUse.FittedBlend => string.Create(CultureInfo.InvariantCulture, $"{o.RouteHeadWeight} (the route head's fitted blend, with its k and temperature)"),
            RouteHeadUse.Weighted => o.RouteHeadWeight.ToString(CultureInfo.InvariantCulture),
            _ => "none (no route head)",
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"default k {settings.DefaultK}, temperature {o.Temperature}, utterance_smoothing {o.UtteranceSmoothingStrength}, route_smoothing {o.RouteSmoothingStrength}, text_model_weight {o.TextModelWeight}, route_head_weight {routeHead}, cost_weight {o.CostWeight}, conversation_decay {o.ConversationDecay}, default_threshold {o.DefaultThreshold}, fallback_route {o.FallbackRoute ?? "none"}, quality_head_weight {(settings.QualityHead is null ? "none (no quality head)" : o.QualityHeadWeight.ToString(CultureInfo.InvariantCulture))}, left_out_models {(o.LeftOutModels.Count == 0 ? "none" : string.Join(" ", o.LeftOutModels))}");
    }

    private static ModelFolder OpenModel(string directory, bool configured)
    {
        try
        {
            return ModelFolder.Open(directory);
        }
        catch (ModelFolderException e)
        {
            throw ModelFailure(e, configured);
        }
    }

    /// <summary>A model folder that cannot be opened or loaded, named by the setting to look at.</summary>
    private static RouterStartupException ModelFailure(ModelFolderException e, bool configured) =>
        // Unconfigured, the folder is the one the index records: the index setting is what to look at.
        new(configured ? nameof(EngineHostOptions.ModelDirectory) : nameof(EngineHostOptions.Index),
            $"model folder {e.Message}{(configured ? "" : $" (the folder the index was built with; set {SettingNames.Section}:{nameof(EngineHostOptions.ModelDirectory)} if it moved)")}", e);
}
