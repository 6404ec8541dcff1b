using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Engine;
using SemanticRouter.Server.Engine;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Server.Metrics;
using SemanticRouter.Settings;

namespace SemanticRouter.Cli.Commands;

/// <summary>`semantic-router serve`: the gRPC service over an index artefact.</summary>
internal static class ServeCommand
{
    private static RouterEngine OpenEngine(RouterEngineOptions options, IEmbeddingGenerator<string, Embedding<float>> embedder, RouterArtifact artifact)
    {
        try
        {
            return new RouterEngine(options, embedder, artifact);
        }
        catch (RankingSettingsException e)
        {
            throw RankingFlags.Explain(e);
        }
    }

    public static Command Create()
    {
        var index = IndexOptions.Index();
        var model = IndexOptions.ModelOverride();
        var db = EngineOptions.OutcomeDb();
        var port = new Option<int?>("--port") { Description = "gRPC port (default 50051; 0 = any free port)" };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Port of /metrics and /healthz (HTTP/1.1; default 9464)" };
        var host = new Option<string?>("--host") { Description = "Address to bind (default: all; e.g. 127.0.0.1)" };
        var cache = new Option<int>("--cache") { Description = "Query embeddings kept in memory (0 = no cache)", DefaultValueFactory = _ => 4096 };
        var batchWait = new Option<double>("--batch-wait-ms") { Description = "Longest wait to gather concurrent queries into one model run", DefaultValueFactory = _ => 2 };
        var threads = new Option<int?>("--intra-op-threads") { Description = "ONNX Runtime threads per model run (default: one per physical core)" };
        var ranking = new RankingFlags();
        var command = new Command("serve", "Serve RankModels and the rest of the gRPC API over an index (settings: see docs/grpc.md)")
        {
            index, model, db, port, metricsPort, host, cache, batchWait, threads,
        };
        foreach (var option in ranking.Options)
        {
            command.Options.Add(option);
        }

        command.TreatUnmatchedTokensAsErrors = false;
        CliAction.Set(command, async (parse, stdout, stderr, ct) =>
        {
            int? intraOp = parse.GetValue(threads);
            if (intraOp is <= 0)
            {
                throw new CliException($"--intra-op-threads must be at least 1, not {intraOp}", ExitCodes.BadInput);
            }

            int cacheSize = parse.GetValue(cache);
            if (cacheSize < 0)
            {
                throw new CliException($"--cache must be 0 (no cache) or a positive number of query embeddings, not {cacheSize}", ExitCodes.BadInput);
            }

            double waitMs = parse.GetValue(batchWait);
            if (!(waitMs is >= 0 and <= 50))
            {
                throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--batch-wait-ms must be in 0..50, not {waitMs}"), ExitCodes.BadInput);
            }

            // ONNX Runtime's threads spin inside a run (no OS wake-up per operator) and park as soon as
            // it returns, so they do not steal the cores Kestrel needs to send the answer.
            var (artifact, encoder) = IndexOptions.Load(parse.GetValue(index)!, parse.GetValue(model), new SentenceEncoderOptions { Spinning = IntraOpSpinning.DuringRun, IntraOpThreads = intraOp });
            using (encoder)
            {
                var settingsFile = ranking.SettingsFile(parse);

                // Set once the host's metrics exist; the decorators report through these.
                RouterMetrics? metrics = null;
                using var batching = new BatchingEmbeddingGenerator(encoder, new BatchingEmbeddingOptions
                {
                    MaxWait = TimeSpan.FromMilliseconds(waitMs),
                    OnBatch = size => metrics?.ObserveBatch(size),
                });
                IEmbeddingGenerator<string, Embedding<float>> embedder = cacheSize > 0
                    ? new CachingEmbeddingGenerator(batching, cacheSize, hit => metrics?.RecordCacheLookup(hit))
                    : batching;
                using var engine = OpenEngine(
                    new RouterEngineOptions
                    {
                        IndexDirectory = artifact.Directory,
                        OutcomeDatabase = parse.GetValue(db),
                        RankingSettings = settingsFile,
                        RankingOverrides = ranking.Overrides(parse),
                        OnTextModelFitted = fit => stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"serve: text outcome model serving: fitted on {fit.Outcomes} text outcomes, {fit.Models} model(s), in {fit.Elapsed.TotalSeconds:0.0} s")),
                    },
                    embedder,
                    artifact);
                var settings = engine.Settings;
                if (settings.SettingsFile is { } used)
                {
                    stderr.WriteLine($"serve: ranking settings from {ranking.SettingsSource(parse)}: {RankingFlags.Describe(used)}");
                }

                foreach (string warning in settings.Warnings)
                {
                    stderr.WriteLine($"serve: warning: {warning}");
                }

                var overrides = new List<KeyValuePair<string, string?>>();
                void Override(string key, object? value)
                {
                    if (value is not null)
                    {
                        overrides.Add(new(key, Convert.ToString(value, CultureInfo.InvariantCulture)));
                    }
                }

                Override(nameof(RouterServerOptions.Port), parse.GetValue(port));
                Override(nameof(RouterServerOptions.MetricsPort), parse.GetValue(metricsPort));
                Override(nameof(RouterServerOptions.Host), parse.GetValue(host));
                // Requests with k = 0 get the server's default k; when the settings resolve a k of their own (a
                // settings file's, or the route head's fit in intent routing), that is the default k, as `eval --index` ranks.
                string? kSource = settings.RouteHead == RouteHeadUse.FittedBlend ? "the index's route head"
                    : settings.SettingsFile?.K is not null ? ranking.SettingsSource(parse) : null;
                if (kSource is not null)
                {
                    Override(nameof(RouterServerOptions.DefaultK), settings.DefaultK);
                    stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"serve: default k {settings.DefaultK} (from {kSource})"));
                }
                try
                {
                    await RouterHost.RunAsync(
                        [.. parse.UnmatchedTokens],
                        services =>
                        {
                            metrics = services.GetService<RouterMetrics>();
                            metrics?.SetIndex(engine.IndexVersion, engine.UtteranceCount);
                            return new EngineBackend(engine, metrics);
                        },
                        overrides,
                        ct).ConfigureAwait(false);
                }
                catch (OptionsValidationException e)
                {
                    throw new CliException(string.Join("; ", e.Failures), ExitCodes.BadInput);
                }
                catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    throw new CliException($"cannot listen: {e.Message}", ExitCodes.BadInput);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
