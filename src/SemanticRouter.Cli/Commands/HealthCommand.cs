using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace SemanticRouter.Cli.Commands;

/// <summary>
/// `semantic-router health [--address URL] [--timeout 2s]`: asks a running server's
/// grpc.health.v1 service whether it serves (an index is loaded). Exit 0 and one line on stdout when
/// SERVING; otherwise one line on stderr and <see cref="ExitCodes.NotServing"/> (it answered, but not
/// SERVING) or <see cref="ExitCodes.Network"/> (nothing answered in time). Made for container health
/// checks and scripts: the health service needs no API key, so none is sent.
/// </summary>
internal static class HealthCommand
{
    public const string DefaultAddress = "http://127.0.0.1:50051";
    public const string DefaultTimeout = "2s";

    /// <summary>Longest --timeout: a health probe that waits longer is a hung probe.</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Longest piece of the caller's input echoed in a message.</summary>
    private const int EchoLimit = 100;

    public static Command Create()
    {
        var address = new Option<string>("--address")
        {
            Description = "The server's gRPC address",
            DefaultValueFactory = _ => DefaultAddress,
        };
        var timeout = new Option<string>("--timeout")
        {
            Description = "Give up after this long, connecting included: 500ms, 2s, 1m",
            DefaultValueFactory = _ => DefaultTimeout,
        };
        var command = new Command("health", "Ask a running server whether it serves (grpc.health.v1): exit 0 when SERVING, one line either way")
        {
            address, timeout,
        };
        CliAction.Set(command, async (parse, stdout, stderr, ct) =>
        {
            var target = ParseAddress(parse.GetValue(address)!);
            string shown = Clip(target.GetLeftPart(UriPartial.Path).TrimEnd('/'));
            var limit = ParseTimeout(parse.GetValue(timeout)!);
            var status = await CheckAsync(target, shown, limit, ct).ConfigureAwait(false);
            if (status != HealthCheckResponse.Types.ServingStatus.Serving)
            {
                throw new CliException($"{shown} answers {Name(status)}, not SERVING", ExitCodes.NotServing);
            }

            await stdout.WriteLineAsync($"SERVING {shown}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<HealthCheckResponse.Types.ServingStatus> CheckAsync(Uri target, string shown, TimeSpan limit, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { ConnectTimeout = limit };
        using var channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        var client = new Health.HealthClient(channel);
        string seconds = limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        try
        {
            // Service "" is the whole server: SERVING once an index is loaded.
            var response = await client.CheckAsync(new HealthCheckRequest { Service = string.Empty }, deadline: DateTime.UtcNow + limit, cancellationToken: ct).ConfigureAwait(false);
            return response.Status;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            throw new CliException($"no answer from {shown} within {seconds} s", ExitCodes.Network);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            throw new CliException($"no gRPC server answering at {shown}: {RootCause(e)}", ExitCodes.Network);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            throw new CliException($"{shown} has no grpc.health.v1 service", ExitCodes.NotServing);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !ct.IsCancellationRequested)
        {
            throw new CliException($"{shown} answered the health check with {e.StatusCode}: {Clip(e.Status.Detail)}", ExitCodes.NotServing);
        }
    }

    /// <summary>An absolute http(s) URL; anything else is bad input, echoed only in part.</summary>
    internal static Uri ParseAddress(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            throw new CliException($"--address must be an http:// or https:// URL such as {DefaultAddress}, not '{Clip(text)}'", ExitCodes.BadInput);
        }

        return uri;
    }

    /// <summary>500ms, 2s, 1.5s, 1m, or a bare number of seconds; above 0 and at most five minutes.</summary>
    internal static TimeSpan ParseTimeout(string text)
    {
        string trimmed = text.Trim();
        (string number, double unitSeconds) = trimmed switch
        {
            _ when trimmed.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (trimmed[..^2], 0.001),
            _ when trimmed.EndsWith('s') || trimmed.EndsWith('S') => (trimmed[..^1], 1.0),
            _ when trimmed.EndsWith('m') || trimmed.EndsWith('M') => (trimmed[..^1], 60.0),
            _ => (trimmed, 1.0),
        };
        double seconds = double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) ? value * unitSeconds : double.NaN;
        if (!(seconds > 0 && seconds <= MaxTimeout.TotalSeconds))
        {
            throw new CliException($"--timeout must be a duration above 0 and at most 5m, such as 500ms, 2s or 1m, not '{Clip(text)}'", ExitCodes.BadInput);
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private static string Name(HealthCheckResponse.Types.ServingStatus status) => status switch
    {
        HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
        HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
        HealthCheckResponse.Types.ServingStatus.Unknown => "UNKNOWN",
        _ => status.ToString(),
    };

    /// <summary>The innermost exception's message ("Connection refused (127.0.0.1:50051)"), else the status detail.</summary>
    private static string RootCause(RpcException e)
    {
        Exception? inner = e.Status.DebugException;
        while (inner?.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return Clip(inner?.Message ?? e.Status.Detail);
    }

    private static string Clip(string text)
    {
        string line = CliAction.OneLine(text);
        return line.Length <= EchoLimit ? line : string.Concat(line.AsSpan(0, EchoLimit), "…");
    }
}
