using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Server.Services;

namespace SemanticRouter.Server.Auth;

/// <summary>
/// Who may call which Router RPC, decided from the request's headers before a byte of its body is read
/// (ASP.NET Core middleware in front of the gRPC endpoints, so a refused call costs no parsing):
/// <list type="bullet">
/// <item>admin RPCs (<see cref="AdminMethods"/>: AddUtterances, ReloadIndex) need the admin key
/// (<see cref="RouterServerOptions.AdminKey"/>); with none configured they are disabled (PERMISSION_DENIED)
/// unless <see cref="RouterServerOptions.AllowAdminWithoutKey"/> opens them to whoever may query;</item>
/// <item>every other Router RPC needs the API key (<see cref="RouterServerOptions.ApiKey"/>) or the admin key
/// when an API key is configured, and is open otherwise.</item>
/// </list>
/// A missing or unknown key is UNAUTHENTICATED; a valid key that does not allow the RPC is PERMISSION_DENIED.
/// Keys are compared in constant time. grpc.health.v1 and reflection stay open: load balancers probe
/// without a key, and they reveal only readiness and the public contract.
/// </summary>
internal sealed class KeyCheck : IMiddleware
{
    private const string Scheme = "Bearer ";

    /// <summary>The RPCs that change what is served.</summary>
    internal static readonly IReadOnlySet<string> AdminMethods = new HashSet<string>(StringComparer.Ordinal) { "AddUtterances", "ReloadIndex" };

    private readonly byte[]? _apiKey;
    private readonly byte[]? _adminKey;
    private readonly bool _adminWithoutKey;
    private readonly ILogger<KeyCheck> _logger;

    public KeyCheck(IOptions<RouterServerOptions> options, ILogger<KeyCheck> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _apiKey = Hash(Secrets.ApiKey(options.Value));
        _adminKey = Hash(Secrets.AdminKey(options.Value));
        _adminWithoutKey = options.Value.AllowAdminWithoutKey;
        _logger = logger;
    }

    private enum Presented
    {
        None,
        Malformed,
        Unknown,
        ApiKey,
        AdminKey,
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        // Only gRPC calls of the Router service; anything else (a wrong content type included) is
        // grpc-dotnet's to refuse, and it reads no message either.
        if (GrpcStatus.RouterMethod(context) is not { } method)
        {
            return next(context);
        }

        var refusal = Decide(AdminMethods.Contains(method), method, Present(context.Request.Headers.Authorization));
        if (refusal is not { } r)
        {
            return next(context);
        }

        ServerLog.Unauthenticated(_logger, method, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", r.Message);
        return GrpcStatus.WriteTrailersOnlyAsync(context, r.Code, r.Message);
    }

    private (StatusCode Code, string Message)? Decide(bool admin, string method, Presented presented)
    {
        if (admin && _adminKey is not null)
        {
            return presented switch
            {
                Presented.AdminKey => null,
                Presented.ApiKey => (StatusCode.PermissionDenied, $"{method} needs the admin key; the API key does not allow it."),
                Presented.None => (StatusCode.Unauthenticated, $"{method} needs the admin key: send 'authorization: Bearer <admin key>'."),
                Presented.Malformed => (StatusCode.Unauthenticated, "authorization metadata must be 'Bearer <admin key>'."),
                _ => (StatusCode.Unauthenticated, "invalid admin key."),
            };
        }

        if (admin && !_adminWithoutKey)
        {
            return (StatusCode.PermissionDenied,
                $"{method} is disabled: no admin key is configured ({SettingNames.Section}:{nameof(RouterServerOptions.AdminKey)}).");
        }

        if (_apiKey is null)
        {
            return null;
        }

        return presented switch
        {
            Presented.ApiKey or Presented.AdminKey => null,
            Presented.None => (StatusCode.Unauthenticated, "missing authorization metadata; send 'authorization: Bearer <api key>'."),
            Presented.Malformed => (StatusCode.Unauthenticated, "authorization metadata must be 'Bearer <api key>'."),
            _ => (StatusCode.Unauthenticated, "invalid API key."),
        };
    }

    private Presented Present(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return Presented.None;
        }

        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Presented.Malformed;
        }

        // Both comparisons always run, so the time taken does not tell which key matched.
        Span<byte> given = stackalloc byte[32];
        HashInto(header.AsSpan(Scheme.Length).Trim(), given);
        bool api = _apiKey is not null && CryptographicOperations.FixedTimeEquals(given, _apiKey);
        bool adminKey = _adminKey is not null && CryptographicOperations.FixedTimeEquals(given, _adminKey);
        return adminKey ? Presented.AdminKey : api ? Presented.ApiKey : Presented.Unknown;
    }

    // Keys are compared as SHA-256 digests: a fixed length, so the comparison time reveals neither a key nor its length.
    private static byte[]? Hash(string? key)
    {
        if (key is not { Length: > 0 })
        {
            return null;
        }

        var digest = new byte[32];
        HashInto(key, digest);
        return digest;
    }

    private static void HashInto(ReadOnlySpan<char> text, Span<byte> digest)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        var buffer = maxBytes <= 512 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var length = Encoding.UTF8.GetBytes(text, buffer);
        SHA256.HashData(buffer[..length], digest);
    }
}
