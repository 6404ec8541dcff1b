using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SemanticRouter.Server.Hosting;

namespace SemanticRouter.Server.Auth;

/// <summary>
/// Requires metadata <c>authorization: Bearer &lt;key&gt;</c> on every Router call when
/// an API key is configured (<see cref="RouterServerOptions.ApiKey"/> or <see cref="RouterServerOptions.ApiKeyFile"/>),
/// compared in constant time. It runs before the request reaches <c>RouterService</c>. Registered on the
/// Router service only: grpc.health.v1 and reflection stay open so load balancers and tools can
/// probe without the key (they reveal nothing but the contract and readiness).
/// </summary>
internal sealed class ApiKeyInterceptor : Interceptor
{
    private const string Scheme = "Bearer ";
    private readonly byte[]? _expected;
    private readonly ILogger<ApiKeyInterceptor> _logger;

    public ApiKeyInterceptor(IOptions<RouterServerOptions> options, ILogger<ApiKeyInterceptor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _expected = KeyComparison.Expected(Secrets.ApiKey(options.Value));
        _logger = logger;
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        return continuation(request, context);
    }

    private void Check(ServerCallContext context)
    {
        if (_expected is null)
        {
            return;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        string? reason = null;
        if (header is null)
        {
            reason = "missing authorization metadata; send 'authorization: Bearer <api key>'.";
        }
        else if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            reason = "authorization metadata must be 'Bearer <api key>'.";
        }
        else if (!KeyMatches(header.AsSpan(Scheme.Length).Trim()))
        {
            reason = "invalid API key.";
        }

        if (reason is not null)
        {
            ServerLog.Unauthenticated(_logger, context.Method, context.Peer, reason);
            throw new RpcException(new Status(StatusCode.Unauthenticated, reason));
        }
    }

    private bool KeyMatches(ReadOnlySpan<char> presented) => KeyComparison.Matches(presented, _expected);
}
