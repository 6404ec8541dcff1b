namespace SemanticRouter.Client;

/// <summary>Placeholder until the client lands.</summary>
internal static class ClientMarker;
