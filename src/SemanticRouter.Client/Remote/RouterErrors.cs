using System.Globalization;
using Grpc.Core;

namespace SemanticRouter.Client;

/// <summary>The one place a gRPC status becomes a <see cref="RouterException"/> (the server maps the other way).</summary>
internal static class RouterErrors
{
    /// <summary>Longest server detail repeated in a message: the server's are one sentence, a proxy's may not be.</summary>
    private const int MaxDetailLength = 300;

    public static Exception FromRpc(RpcException e, TimeSpan deadline, CancellationToken cancellationToken)
    {
        if (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The router call was cancelled.", e, cancellationToken);
        }

        string detail = Bound(e.Status.Detail);
        return e.StatusCode switch
        {
            StatusCode.InvalidArgument => new RouterException(RouterErrorCode.InvalidArgument, detail, e),
            StatusCode.NotFound => new RouterException(RouterErrorCode.NotFound, detail, e),
            StatusCode.AlreadyExists => new RouterException(RouterErrorCode.AlreadyExists, detail, e),
            StatusCode.FailedPrecondition => new RouterException(RouterErrorCode.FailedPrecondition, detail, e),
            StatusCode.ResourceExhausted => new RouterException(RouterErrorCode.ResourceExhausted, detail, e),
            StatusCode.Unavailable => new RouterException(RouterErrorCode.Unavailable, $"The router is unavailable: {detail}", e),
            StatusCode.PermissionDenied => new RouterException(RouterErrorCode.PermissionDenied, detail, e),
            StatusCode.Unauthenticated => new RouterException(RouterErrorCode.Unauthenticated, detail, e),
            StatusCode.DeadlineExceeded => new RouterException(RouterErrorCode.Unavailable,
                string.Create(CultureInfo.InvariantCulture, $"The router did not answer within the deadline ({deadline.TotalSeconds:0.###} s)."), e),
            _ => new RouterException(RouterErrorCode.Unavailable, $"The router could not answer ({e.StatusCode}): {detail}", e),
        };
    }

    private static string Bound(string? detail) =>
        string.IsNullOrWhiteSpace(detail) ? "(no detail)"
        : detail.Length <= MaxDetailLength ? detail
        : string.Concat(detail.AsSpan(0, MaxDetailLength), "…");
}
