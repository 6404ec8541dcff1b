using System.Net;
using Microsoft.Extensions.Options;

namespace SemanticRouter.Server.Hosting;

/// <summary>Start-up validation of <see cref="RouterServerOptions"/>: every failure names the setting and how to set it.</summary>
public sealed class RouterServerOptionsValidator : IValidateOptions<RouterServerOptions>
{
    public ValidateOptionsResult Validate(string? name, RouterServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Fail(string key, string message) => failures.Add($"{SettingNames.Describe(key)} {message}");

        if (options.Port is < 0 or > 65535)
        {
            Fail(nameof(options.Port), $"must be a TCP port in 0..65535, not {options.Port}.");
        }

        if (options.MetricsPort is < -1 or > 65535)
        {
            Fail(nameof(options.MetricsPort), $"must be a TCP port in 0..65535 or -1 (off), not {options.MetricsPort}.");
        }
        else if (options.MetricsPort > 0 && options.MetricsPort == options.Port)
        {
            Fail(nameof(options.MetricsPort), $"must differ from the gRPC port {options.Port}.");
        }

        if (string.IsNullOrWhiteSpace(options.Host) ||
            (options.Host != "*" && !string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(options.Host, out _)))
        {
            Fail(nameof(options.Host), $"must be an IP address, 'localhost' or '*', not '{options.Host}'.");
        }

        else if (!IsLoopback(options.Host) && options.ApiKey is null && options.ApiKeyFile is null && !options.AllowUnauthenticated)
        {
            Fail(nameof(options.Host), $"is '{options.Host}', beyond loopback, and no API key is set: set {SettingNames.Describe(nameof(options.ApiKey))} or {nameof(options.ApiKeyFile)}, or {SettingNames.Describe(nameof(options.AllowUnauthenticated))}=true to serve without one.");
        }

        if (options.MaxReceiveMessageSize < 1024)
        {
            Fail(nameof(options.MaxReceiveMessageSize), $"must be at least 1024 bytes, not {options.MaxReceiveMessageSize}.");
        }

        if (options.MaxSendMessageSize < 1024)
        {
            Fail(nameof(options.MaxSendMessageSize), $"must be at least 1024 bytes, not {options.MaxSendMessageSize}.");
        }

        if (options.MaxQueryBytes < 1 || options.MaxQueryBytes > options.MaxReceiveMessageSize)
        {
            Fail(nameof(options.MaxQueryBytes), $"must be in 1..MaxReceiveMessageSize ({options.MaxReceiveMessageSize}), not {options.MaxQueryBytes}.");
        }

        void Range(string key, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                Fail(key, $"must be in {min}..{max}, not {value}.");
            }
        }

        Range(nameof(options.MaxHistoryTurns), options.MaxHistoryTurns, 0, 10_000);
        Range(nameof(options.MaxRequestTextBytes), options.MaxRequestTextBytes, 1, 64 * 1024 * 1024);
        Range(nameof(options.MaxUtterancesPerCall), options.MaxUtterancesPerCall, 1, 100_000);
        Range(nameof(options.MaxConcurrentCalls), options.MaxConcurrentCalls, 1, 100_000);
        Range(nameof(options.MaxQueuedCalls), options.MaxQueuedCalls, 0, 1_000_000);

        ValidateSecret(nameof(options.ApiKey), options.ApiKey, nameof(options.ApiKeyFile), options.ApiKeyFile, Fail, key =>
            key.Length < 16 || key.Any(char.IsWhiteSpace) ? "must be at least 16 characters without whitespace (or unset for no authentication)." : null);

        ValidateSecret(nameof(options.AdminKey), options.AdminKey, nameof(options.AdminKeyFile), options.AdminKeyFile, Fail, key =>
            key.Length < 16 || key.Any(char.IsWhiteSpace) ? "must be at least 16 characters without whitespace (or unset: no admin RPCs)." : null);

        if (options.CertificatePath is { } cert && !File.Exists(cert))
        {
            Fail(nameof(options.CertificatePath), $"names a file that does not exist: '{cert}'.");
        }

        ValidateSecret(nameof(options.CertificatePassword), options.CertificatePassword, nameof(options.CertificatePasswordFile), options.CertificatePasswordFile, Fail, _ => null);

        if (options.ResponseCompression is { } algorithm && algorithm != "gzip")
        {
            Fail(nameof(options.ResponseCompression), $"must be 'gzip' or unset, not '{algorithm}'.");
        }

        if (options.ShutdownTimeout < TimeSpan.Zero || options.ShutdownTimeout > TimeSpan.FromMinutes(10))
        {
            Fail(nameof(options.ShutdownTimeout), $"must be between 00:00:00 and 00:10:00, not {options.ShutdownTimeout}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>True when <paramref name="host"/> listens on loopback only (<c>localhost</c>, 127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    // A secret is given directly or in a file, not both; a file must be readable. The messages name the
    // setting and the file, never the secret.
    private static void ValidateSecret(string key, string? value, string fileKey, string? file, Action<string, string> fail, Func<string, string?> check)
    {
        if (value is not null && file is not null)
        {
            fail(fileKey, $"and {SettingNames.Section}:{key} are both set; set one.");
            return;
        }

        string? secret = value;
        string reportAs = key;
        if (file is not null)
        {
            try
            {
                secret = File.ReadAllText(file).TrimEnd();
                reportAs = fileKey;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                fail(fileKey, $"cannot be read: '{file}' ({e.GetType().Name}).");
                return;
            }
        }

        if (secret is not null && check(secret) is { } problem)
        {
            fail(reportAs, file is null ? problem : $"holds a secret that {problem}");
        }
    }
}
