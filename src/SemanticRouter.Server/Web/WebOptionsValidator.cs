using Microsoft.Extensions.Options;
using SemanticRouter.Server.Hosting;

namespace SemanticRouter.Server.Web;

/// <summary>Start-up validation of <see cref="WebOptions"/>: every failure names the setting.</summary>
internal sealed class WebOptionsValidator(IOptions<RouterServerOptions> server) : IValidateOptions<WebOptions>
{
    public ValidateOptionsResult Validate(string? name, WebOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Fail(string key, string message) => failures.Add($"{WebSettingNames.Describe(key)} {message}");
        if (options.MaxRequestBodyBytes is < 1024 or > 1024 * 1024)
        {
            Fail(nameof(options.MaxRequestBodyBytes), $"must be in 1024..1048576 bytes, not {options.MaxRequestBodyBytes}.");
        }

        if (options.SignInLifetime < TimeSpan.FromMinutes(1) || options.SignInLifetime > TimeSpan.FromDays(30))
        {
            Fail(nameof(options.SignInLifetime), $"must be between 00:01:00 and 30.00:00:00, not {options.SignInLifetime}.");
        }

        if (options.Enabled && server.Value.MetricsPort < 0)
        {
            Fail(nameof(options.Enabled), $"needs the HTTP port: {SettingNames.Describe(nameof(RouterServerOptions.MetricsPort))} is -1 (off).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>How a web setting is named: <c>SemanticRouter:Web:Enabled (SEMANTIC_ROUTER_WEB__ENABLED)</c>.</summary>
internal static class WebSettingNames
{
    public static string Describe(string key) =>
        $"{SettingNames.Section}:{WebOptions.Section}:{key} ({SettingNames.EnvironmentPrefix}{SettingNames.EnvironmentSuffix(WebOptions.Section)}__{SettingNames.EnvironmentSuffix(key)})";
}
