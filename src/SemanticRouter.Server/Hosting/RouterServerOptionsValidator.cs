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
        void Fail(string key, string message) =>
            failures.Add($"{RouterServerOptions.SectionName}:{key} ({RouterServerOptions.EnvironmentPrefix}{ToEnv(key)}) {message}");

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

        if (options.MaxK < 1)
        {
            Fail(nameof(options.MaxK), $"must be at least 1, not {options.MaxK}.");
        }

        if (options.DefaultK < 1 || options.DefaultK > options.MaxK)
        {
            Fail(nameof(options.DefaultK), $"must be in 1..MaxK ({options.MaxK}), not {options.DefaultK}.");
        }

        if (options.ApiKey is { } key && (key.Length < 16 || key.Any(char.IsWhiteSpace)))
        {
            Fail(nameof(options.ApiKey), "must be at least 16 characters without whitespace (or unset for no authentication).");
        }

        if (options.CertificatePath is { } cert && !File.Exists(cert))
        {
            Fail(nameof(options.CertificatePath), $"names a file that does not exist: '{cert}'.");
        }

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

    private static string ToEnv(string key)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var c in key)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }
}
