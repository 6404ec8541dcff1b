namespace SemanticRouter.Engine;

/// <summary>A finished fit of the text outcome model, now serving: how many text outcomes, how many models it predicts, how long it took.</summary>
public sealed record TextModelFit(int Outcomes, int Models, TimeSpan Elapsed);
