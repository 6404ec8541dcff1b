using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SemanticRouter.Server.Hosting;

/// <summary>Where the server listens, with port 0 resolved to the bound port once started (null under TestServer).</summary>
public sealed class RouterEndpoints
{
    internal ListenOptions? GrpcListen { get; set; }

    internal ListenOptions? MetricsListen { get; set; }

    /// <summary>True when the gRPC endpoint speaks TLS.</summary>
    public bool Tls { get; internal set; }

    /// <summary>The gRPC base address, e.g. <c>http://127.0.0.1:50051</c>.</summary>
    public Uri? Grpc => ToUri(GrpcListen, Tls);

    /// <summary>The metrics base address (serves <c>/metrics</c> and <c>/healthz</c>).</summary>
    public Uri? Metrics => ToUri(MetricsListen, tls: false);

    private static Uri? ToUri(ListenOptions? listen, bool tls)
    {
        if (listen?.EndPoint is not IPEndPoint endPoint)
        {
            return null;
        }

        var address = endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any)
            ? "localhost"
            : endPoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]" : endPoint.Address.ToString();
        return new Uri($"{(tls ? "https" : "http")}://{address}:{endPoint.Port}");
    }
}
