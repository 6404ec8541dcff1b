using System.Globalization;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Server.Services;

/// <summary>
/// What middleware in front of grpc-dotnet needs to answer a call itself (refuse it before its message is
/// read): which Router RPC a request is, and a gRPC status written as a trailers-only response.
/// </summary>
internal static class GrpcStatus
{
    private const string RouterPathPrefix = "/semantic_router.v1.Router/";

    private static readonly HashSet<string> RouterMethods = new(Router.Descriptor.Methods.Select(m => m.Name), StringComparer.Ordinal);

    /// <summary>The Router RPC a gRPC request calls (e.g. <c>RankModels</c>); null for anything else, unknown methods included.</summary>
    public static string? RouterMethod(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value;
        if (path is null || !path.StartsWith(RouterPathPrefix, StringComparison.Ordinal) || !IsGrpc(context))
        {
            return null;
        }

        var method = path[RouterPathPrefix.Length..];
        return RouterMethods.Contains(method) ? method : null;
    }

    /// <summary>
    /// The <c>method</c> label a call is counted under in <c>/metrics</c>, as the interceptors count it
    /// (<c>semantic_router.v1.Router/RankModels</c>); any path that is not a Router RPC is <c>other</c>, so a
    /// caller cannot grow the label set.
    /// </summary>
    public static string MethodLabel(HttpContext context) =>
        RouterMethod(context) is { } method ? RouterPathPrefix[1..] + method : "other";

    /// <summary>True for a gRPC request (its content type), whichever service it calls.</summary>
    public static bool IsGrpc(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
    }

    /// <summary>Answers the call with <paramref name="code"/> and <paramref name="message"/> (one line, bounded) and no message.</summary>
    public static Task WriteTrailersOnlyAsync(HttpContext context, StatusCode code, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(ErrorMessage.OneLine(message));
        return Task.CompletedTask;
    }

    // The grpc-message encoding of gRPC over HTTP/2: printable ASCII but '%' as it is, every other UTF-8 byte as %XX.
    private static string PercentEncode(string message)
    {
        var builder = new StringBuilder(message.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
