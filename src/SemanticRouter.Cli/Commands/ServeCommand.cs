using System.CommandLine;
using Microsoft.Extensions.Options;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Server.Web;

namespace SemanticRouter.Cli.Commands;

/// <summary>
/// `semantic-router serve`: the gRPC service over an index. Only parses: each flag is a configuration
/// setting (section SemanticRouter) that wins over appsettings.json and the environment, and the server
/// (<see cref="RouterHost"/>) builds and runs the rest, as a container or a test host does.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var index = IndexOptions.Index();
        var model = IndexOptions.ModelOverride();
        var db = EngineOptions.OutcomeDb();
        var port = new Option<int?>("--port") { Description = "gRPC port (default 50051; 0 = any free port)" };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Port of /metrics and /healthz (HTTP/1.1; default 9464; -1 = off)" };
        var host = new Option<string?>("--host") { Description = "Address to bind (default 127.0.0.1; * = every interface, which needs an API key or SemanticRouter:AllowUnauthenticated=true)" };
        var cache = new Option<int?>("--cache") { Description = "Query embeddings kept in memory (default 4096; 0 = no cache)" };
        var batchWait = new Option<double?>("--batch-wait-ms") { Description = "Longest wait to gather concurrent queries into one model run (default 2; 0..50)" };
        var redis = new Option<string?>("--redis") { Description = "Share outcomes with other replicas through Redis: a StackExchange.Redis configuration string, e.g. redis:6379 (docs/deploy.md; a password is better in SEMANTICROUTER__OUTCOMEREDIS)" };
        var threads = new Option<int?>("--intra-op-threads") { Description = "ONNX Runtime threads per model run (default: the cores the process may use)" };
        var spinning = new Option<string?>("--intra-op-spinning") { Description = "How ONNX Runtime's threads wait between a run's sections: never (default), during-run or always (docs/encoder.md#threads-and-spinning)", HelpName = "POLICY" };
        var web = new Option<bool?>("--web") { Description = "Serve the web page under /ui on the metrics port (docs/web.md; default off)", Arity = ArgumentArity.ZeroOrOne };
        var ranking = new RankingFlags();

        // Each flag and the setting it sets (docs/grpc.md has the table, with the environment variables).
        var settings = new List<(Option Flag, string Key)>
        {
            (index, nameof(EngineHostOptions.Index)),
            (model, nameof(EngineHostOptions.ModelDirectory)),
            (db, nameof(EngineHostOptions.OutcomeDatabase)),
            (redis, nameof(EngineHostOptions.OutcomeRedis)),
            (port, nameof(RouterServerOptions.Port)),
            (metricsPort, nameof(RouterServerOptions.MetricsPort)),
            (host, nameof(RouterServerOptions.Host)),
            (cache, nameof(EngineHostOptions.EmbeddingCacheSize)),
            (batchWait, nameof(EngineHostOptions.BatchWaitMs)),
            (threads, nameof(EngineHostOptions.IntraOpThreads)),
            (spinning, nameof(EngineHostOptions.IntraOpSpinning)),
            (web, $"{WebOptions.Section}:{nameof(WebOptions.Enabled)}"),
        };
        foreach (var option in ranking.Options)
        {
            settings.Add((option, RankingSettingOf(option.Name)));
        }

        var command = new Command("serve", "Serve RankModels and the rest of the gRPC API over an index (settings: see docs/grpc.md)");
        foreach (var (flag, _) in settings)
        {
            command.Options.Add(flag);
        }

        // Tokens the command does not know are .NET configuration arguments: --SemanticRouter:DefaultK=50.
        command.TreatUnmatchedTokensAsErrors = false;
        CliAction.Set(command, async (parse, stdout, stderr, ct) =>
        {
            var overrides = new List<KeyValuePair<string, string?>>();
            foreach (var (flag, key) in settings)
            {
                // Only flags given: an absent one leaves the setting to appsettings.json or the environment
                // (--index's default, $SEMANTIC_ROUTER_INDEX else embeddings/index, is the setting's too).
                if (parse.GetResult(flag) is { Implicit: false } given)
                {
                    overrides.Add(new(key, given.Tokens.Count > 0 ? given.Tokens[^1].Value : "true"));
                }
            }

            try
            {
                await RouterHost.RunAsync([.. parse.UnmatchedTokens], overrides, ct).ConfigureAwait(false);
            }
            catch (OptionsValidationException e)
            {
                throw new CliException(string.Join("; ", e.Failures), ExitCodes.BadInput);
            }
            catch (RouterStartupException e)
            {
                // An index or model that cannot be used (missing, corrupt, or not the index's model) is exit 3, as in every command.
                bool artifact = e.InnerException is ArtifactException or ModelFolderException
                    || e.Setting is nameof(EngineHostOptions.Index) or nameof(EngineHostOptions.ModelDirectory);
                throw new CliException(e.Message, artifact ? ExitCodes.BadArtifact : ExitCodes.BadInput);
            }
            catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException($"cannot listen: {e.Message}", ExitCodes.BadInput);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The setting of a ranking flag that `serve` shares with `rank`: --temperature → Temperature.</summary>
    private static string RankingSettingOf(string flag) => flag switch
    {
        "--ranking-options" => nameof(RankingHostOptions.RankingOptionsFile),
        "--fallback-route" => nameof(RankingHostOptions.FallbackRoute),
        "--temperature" => nameof(RankingHostOptions.Temperature),
        "--default-threshold" => nameof(RankingHostOptions.DefaultThreshold),
        "--route-smoothing" => nameof(RankingHostOptions.RouteSmoothing),
        "--utterance-smoothing" => nameof(RankingHostOptions.UtteranceSmoothing),
        "--conversation-decay" => nameof(RankingHostOptions.ConversationDecay),
        "--text-model-weight" => nameof(RankingHostOptions.TextModelWeight),
        _ => throw new InvalidOperationException($"serve: no setting for the ranking flag {flag}"),
    };
}
