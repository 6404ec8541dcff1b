using Microsoft.Extensions.Options;

namespace SemanticRouter.Server.Hosting;

/// <summary>Start-up validation of <see cref="EngineHostOptions"/> (the files themselves are checked when the engine opens them).</summary>
public sealed class EngineHostOptionsValidator : IValidateOptions<EngineHostOptions>
{
    public ValidateOptionsResult Validate(string? name, EngineHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Fail(string key, string message) => failures.Add($"{SettingNames.Describe(key)} {message}");

        if (string.IsNullOrWhiteSpace(options.Index))
        {
            Fail(nameof(options.Index), "must name the index artefact directory.");
        }

        if (options.EmbeddingCacheSize < 0)
        {
            Fail(nameof(options.EmbeddingCacheSize), $"must be 0 (no cache) or a positive number of query embeddings, not {options.EmbeddingCacheSize}.");
        }

        if (!(options.BatchWaitMs is >= 0 and <= 50))
        {
            Fail(nameof(options.BatchWaitMs), FormattableString.Invariant($"must be in 0..50, not {options.BatchWaitMs}."));
        }

        if (options.IntraOpThreads is < 1)
        {
            Fail(nameof(options.IntraOpThreads), $"must be at least 1 (or unset for the cores the process may use), not {options.IntraOpThreads}.");
        }

        if (options.TextModelMaxOutcomes is < 1 or > 10_000_000)
        {
            Fail(nameof(options.TextModelMaxOutcomes), $"must be in 1..10000000 (or unset for the engine's default), not {options.TextModelMaxOutcomes}.");
        }

        if (options.IntraOpSpinning is { } spinning && options.Spinning is null)
        {
            Fail(nameof(options.IntraOpSpinning), $"must be never, during-run or always (or unset for never), not '{SemanticRouter.ErrorMessage.Quote(spinning)}'.");
        }

        if (options.TextModelMaxTextChars is < 1_000_000 or > 10_000_000_000)
        {
            Fail(nameof(options.TextModelMaxTextChars), $"must be in 1000000..10000000000 (or unset for the engine's default), not {options.TextModelMaxTextChars}.");
        }

        if (options.OutcomeRedis is not null && options.OutcomeRedisFile is not null)
        {
            Fail(nameof(options.OutcomeRedis), $"and {SettingNames.Describe(nameof(options.OutcomeRedisFile))} are both set: set one.");
        }

        if ((options.OutcomeRedis is not null || options.OutcomeRedisFile is not null) && options.OutcomeDatabase is not null)
        {
            Fail(nameof(options.OutcomeDatabase), $"is set together with the Redis outcome store ({SettingNames.Describe(nameof(options.OutcomeRedis))}): outcomes go to one store; set one.");
        }

        if (string.IsNullOrWhiteSpace(options.OutcomeRedisKeyPrefix))
        {
            Fail(nameof(options.OutcomeRedisKeyPrefix), "must not be empty.");
        }

        if (options.OutcomeRedisPollMs is < 10 or > 5000)
        {
            Fail(nameof(options.OutcomeRedisPollMs), $"must be in 10..5000, not {options.OutcomeRedisPollMs}.");
        }

        if (options.IndexWatchSeconds != 0 && !(options.IndexWatchSeconds is >= 0.1 and <= 3600))
        {
            Fail(nameof(options.IndexWatchSeconds), FormattableString.Invariant($"must be 0 (off) or in 0.1..3600, not {options.IndexWatchSeconds}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
