namespace SemanticRouter.Server;

/// <summary>Placeholder until the gRPC host lands.</summary>
internal static class ServerMarker;
