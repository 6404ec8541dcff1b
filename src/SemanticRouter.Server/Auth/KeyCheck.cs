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
/// Keys are compared in constant time (<see cref="ConfiguredKeys"/>); every refusal is counted in /metrics (<see cref="CallRefusal"/>). grpc.health.v1 and reflection stay open: load balancers probe
/// without a key, and they reveal only readiness and the public contract.
/// </summary>
internal sealed class KeyCheck : IMiddleware
{
    private const string Scheme = "Bearer ";

    /// <summary>The RPCs that change what is served.</summary>
    internal static readonly IReadOnlySet<string> AdminMethods = new HashSet<string>(StringComparer.Ordinal) { "AddUtterances", "ReloadIndex" };

    private readonly ConfiguredKeys _keys;
    private readonly bool _adminWithoutKey;
    private readonly CallRefusal _refusal;
    private readonly ILogger<KeyCheck> _logger;

    public KeyCheck(ConfiguredKeys keys, IOptions<RouterServerOptions> options, CallRefusal refusal, ILogger<KeyCheck> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _keys = keys;
        _adminWithoutKey = options.Value.AllowAdminWithoutKey;
        _refusal = refusal;
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
        return _refusal.RefuseAsync(context, r.Code, r.Message);
    }

    private (StatusCode Code, string Message)? Decide(bool admin, string method, Presented presented)
    {
        if (admin && _keys.AdminKeyConfigured)
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

        if (!_keys.ApiKeyConfigured)
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

        return _keys.Match(header.AsSpan(Scheme.Length).Trim()) switch
        {
            KeyMatch.AdminKey => Presented.AdminKey,
            KeyMatch.ApiKey => Presented.ApiKey,
            _ => Presented.Unknown,
        };
    }
}
