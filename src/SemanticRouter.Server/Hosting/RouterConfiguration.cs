using System.Collections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Where the server's settings come from, and which wins. Later sources win:
/// <list type="number">
/// <item>appsettings.json, then appsettings.{Environment}.json, in the working directory;</item>
/// <item>environment variables of the standard .NET form: <c>SemanticRouter__Port</c> or <c>SEMANTICROUTER__PORT</c>;</item>
/// <item>environment variables of the older form: <c>SEMANTIC_ROUTER_PORT</c>, <c>SEMANTIC_ROUTER_MAX_QUERY_BYTES</c> (single underscores are ignored, <c>__</c> nests);
/// and <c>SEMANTIC_ROUTER_MODEL</c>, the model variable every other command reads (README "Models"), as <c>ModelDirectory</c>
/// unless <c>SEMANTIC_ROUTER_MODEL_DIRECTORY</c> is set too: one model rule, so a model given by environment
/// is used, and refused when it is not the index's, by `serve` as by `rank`;</item>
/// <item>command-line arguments in .NET form: <c>--SemanticRouter:Port=50051</c>;</item>
/// <item>the caller's overrides: the flags of `semantic-router serve` (<c>--port</c>).</item>
/// </list>
/// Sources 1, 2 and 4 are the Generic Host's defaults; this adds 3 and 5 (and repeats 4, so the command line wins over 3).
/// </summary>
public static class RouterConfiguration
{
    /// <summary>SEMANTIC_ROUTER_MODEL without its prefix: the model folder of every command (ModelDirectory here).</summary>
    private const string ModelSuffix = "MODEL";

    /// <summary>Adds sources 3–5 to a builder that already has the host's defaults.</summary>
    /// <param name="configuration">The builder to add to.</param>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="overrides">Keys relative to the section (<c>("Port", "50051")</c>); win over everything.</param>
    /// <param name="environment">The environment variables (null = the process's).</param>
    public static void AddSources(
        IConfigurationBuilder configuration,
        string[] args,
        IEnumerable<KeyValuePair<string, string?>>? overrides,
        IDictionary? environment = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var fromEnvironment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment ?? Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith(SettingNames.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                fromEnvironment[SettingNames.KeyOfEnvironmentSuffix(key[SettingNames.EnvironmentPrefix.Length..])] = entry.Value as string;
            }
        }

        string modelDirectory = $"{SettingNames.Section}:{nameof(EngineHostOptions.ModelDirectory)}";
        if (fromEnvironment.Remove(SettingNames.KeyOfEnvironmentSuffix(ModelSuffix), out var model) && !fromEnvironment.ContainsKey(modelDirectory))
        {
            fromEnvironment[modelDirectory] = model;
        }

        configuration.AddInMemoryCollection(fromEnvironment);
        if (args is { Length: > 0 })
        {
            configuration.AddCommandLine(args);
        }

        if (overrides is not null)
        {
            configuration.AddInMemoryCollection(overrides.Select(p =>
                new KeyValuePair<string, string?>($"{SettingNames.Section}:{p.Key}", p.Value)));
        }
    }

    /// <summary>Binds and validates the host's settings, so a bad one stops start-up with a message naming it.</summary>
    /// <exception cref="OptionsValidationException">Every invalid setting, one message each.</exception>
    public static RouterServerOptions ReadServerOptions(IConfiguration configuration) =>
        Read(configuration, new RouterServerOptions(), new RouterServerOptionsValidator(), failures: null);

    /// <summary>Binds and validates every setting of a server that runs the engine (host, engine, ranking).</summary>
    /// <exception cref="OptionsValidationException">Every invalid setting, one message each.</exception>
    public static RouterSettings ReadSettings(IConfiguration configuration)
    {
        var failures = new List<string>();
        var server = Read(configuration, new RouterServerOptions(), new RouterServerOptionsValidator(), failures);
        var engine = Read(configuration, new EngineHostOptions(), new EngineHostOptionsValidator(), failures);
        var ranking = Read(configuration, new RankingHostOptions(), new RankingHostOptionsValidator(), failures);
        return failures.Count == 0
            ? new RouterSettings(server, engine, ranking)
            : throw new OptionsValidationException(Options.DefaultName, typeof(RouterSettings), failures);
    }

    // With a failure list, failures are collected there; without one, they are thrown at once.
    private static T Read<T>(IConfiguration configuration, T options, IValidateOptions<T> validator, List<string>? failures)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        try
        {
            configuration.GetSection(SettingNames.Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            // A value of the wrong type (Port=abc): the binder's message names the key and the value.
            var message = e.Message;
            if (failures is null)
            {
                throw new OptionsValidationException(Options.DefaultName, typeof(T), [message]);
            }

            failures.Add(message);
            return options;
        }

        var result = validator.Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            if (failures is null)
            {
                throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures ?? []);
            }

            failures.AddRange(result.Failures ?? []);
        }

        return options;
    }
}

/// <summary>Every setting of a server that runs the engine, validated.</summary>
public sealed record RouterSettings(RouterServerOptions Server, EngineHostOptions Engine, RankingHostOptions Ranking);
