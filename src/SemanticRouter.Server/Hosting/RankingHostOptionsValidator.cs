using Microsoft.Extensions.Options;
using SemanticRouter.Ranking;
using SemanticRouter.Settings;

namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Start-up validation of <see cref="RankingHostOptions"/>: each value in its range (the ranker's own checks,
/// named by setting) and the settings file readable and valid. What needs the index (a fallback route it
/// has) is checked when the engine opens it and resolves the settings.
/// </summary>
public sealed class RankingHostOptionsValidator : IValidateOptions<RankingHostOptions>
{
    public ValidateOptionsResult Validate(string? name, RankingHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var probe = new RankingOptions();
        void Check<T>(string key, T? value, Action<T> set)
            where T : struct
        {
            if (value is not { } v)
            {
                return;
            }

            try
            {
                set(v);
            }
            catch (ArgumentOutOfRangeException e)
            {
                failures.Add(FormattableString.Invariant($"{SettingNames.Describe(key)} {v}: {ErrorMessage.Of(e)}"));
            }
        }

        Check(nameof(options.DefaultK), options.DefaultK, v => probe.K = v);
        Check(nameof(options.Temperature), options.Temperature, v => probe.Temperature = v);
        Check(nameof(options.DefaultThreshold), options.DefaultThreshold, v => probe.DefaultThreshold = v);
        Check(nameof(options.RouteSmoothing), options.RouteSmoothing, v => probe.RouteSmoothingStrength = v);
        Check(nameof(options.UtteranceSmoothing), options.UtteranceSmoothing, v => probe.UtteranceSmoothingStrength = v);
        Check(nameof(options.ConversationDecay), options.ConversationDecay, v => probe.ConversationDecay = v);
        Check(nameof(options.TextModelWeight), options.TextModelWeight, v => probe.TextModelWeight = v);
        Check(nameof(options.RouteHeadWeight), options.RouteHeadWeight, v => probe.RouteHeadWeight = v);
        Check(nameof(options.CostWeight), options.CostWeight, v => probe.CostWeight = v);
        if (options.FallbackRoute is { } fallback && string.IsNullOrWhiteSpace(fallback))
        {
            failures.Add($"{SettingNames.Describe(nameof(options.FallbackRoute))} must name a route of the index (or be unset).");
        }

        if (options.RankingOptionsFile is { } file)
        {
            try
            {
                RankingSettingsFile.Read(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                failures.Add($"{SettingNames.Describe(nameof(options.RankingOptionsFile))} {(e is InvalidDataException ? e.Message : $"cannot be read: '{file}' ({e.Message})")}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
