using SemanticRouter.Index;

namespace SemanticRouter.RouteHead;

/// <summary>
/// A fitted route head as an index artefact carries it: the classifier trained at build time on the
/// utterance vectors and the parameters <c>fit</c> chose (k, τ, α, T, abstention rule). The served path
/// asks it for one of two things:
/// <list type="bullet">
/// <item>intent routing (<see cref="RouteHeadDecision.Posterior"/>): its own fitted blend with its own k and τ over the query's
/// neighbours, and its abstention decision: exactly what <c>fit</c> and <c>eval</c> measure;</item>
/// <item>outcome routing (<see cref="RouteHeadDecision.Classifier"/>): the classifier's posterior alone, which
/// is blended (<see cref="RouteHeadMath.Blend(IReadOnlyDictionary{string, double}, IReadOnlyDictionary{string, double}, double)"/>)
/// with the ranker's own neighbours' vote at the α the ranking settings give.</item>
/// </list>
/// </summary>
public sealed class RouteHeadModel
{
    public RouteHeadModel(RouteClassifier classifier, RouteHeadParameters parameters, string? parametersJson = null)
    {
        Classifier = classifier ?? throw new ArgumentNullException(nameof(classifier));
        Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        ParametersJson = parametersJson ?? parameters.ToJson();
        RouteIndex = classifier.Routes.Select((r, i) => (r, i)).ToDictionary(x => x.r, x => x.i, StringComparer.Ordinal);
        InScopeRoutes = classifier.Routes.Count(r => r != RouteHeadTrainer.OutOfScopeClass);
    }

    public RouteClassifier Classifier { get; }

    public RouteHeadParameters Parameters { get; }

    /// <summary>The parameters file's text as the artefact carries it (see <see cref="RouteHeadSettings.ParametersJson"/>).</summary>
    public string ParametersJson { get; }

    /// <summary>Route name → class index of the classifier.</summary>
    public IReadOnlyDictionary<string, int> RouteIndex { get; }

    /// <summary>Classes that are real routes (the out-of-scope class, when trained, comes last).</summary>
    public int InScopeRoutes { get; }

    /// <summary>
    /// The head's view of one query, from its embedding and its neighbours (<paramref name="neighborRoutes"/>:
    /// the class index of each hit's route, most similar first): its fitted blend, its classifier's posterior
    /// and its fitted abstention decision.
    /// </summary>
    public RouteHeadDecision Decide(ReadOnlySpan<float> query, IReadOnlyList<(int RouteClass, float Similarity)> neighborRoutes)
    {
        ArgumentNullException.ThrowIfNull(neighborRoutes);
        var logits = new float[Classifier.Routes.Count];
        Classifier.Logits(query, logits);
        // Rows of the neighbour list are positions in this call's own route table.
        var hits = new VectorHit[neighborRoutes.Count];
        var rowRoute = new int[neighborRoutes.Count];
        for (int i = 0; i < hits.Length; i++)
        {
            hits[i] = new VectorHit(i, neighborRoutes[i].Similarity);
            rowRoute[i] = neighborRoutes[i].RouteClass;
        }

        var p = Parameters;
        double score = RouteHeadMath.AbstainScore(logits, hits, p, p.AbstainRule, InScopeRoutes, rowRoute, out _);
        var posterior = new float[InScopeRoutes];
        RouteHeadMath.Posterior(logits, hits, rowRoute, p, posterior);
        var classifier = new float[logits.Length];
        RouteHeadMath.HeadPosterior(logits, p.HeadTemperature, classifier);
        bool abstain = p.AbstainRule != AbstainRules.None && score < p.Threshold;
        return new RouteHeadDecision(Normalised(InScope(posterior)), InScope(classifier), abstain);
    }

    // Route name → probability over the real routes (the out-of-scope class, last, is left out).
    private Dictionary<string, double> InScope(ReadOnlySpan<float> p)
    {
        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int r = 0; r < InScopeRoutes; r++)
        {
            if (p[r] > 0)
            {
                map[Classifier.Routes[r]] = p[r];
            }
        }

        return map;
    }

    // The blend sums to 1 over every class; without the out-of-scope class it is renormalised over the routes.
    private static Dictionary<string, double> Normalised(Dictionary<string, double> posterior)
    {
        double total = 0;
        foreach (var p in posterior.Values)
        {
            total += p;
        }

        foreach (var route in posterior.Keys)
        {
            posterior[route] = Math.Min(1, posterior[route] / total);
        }

        return posterior;
    }
}

/// <summary>What a route head makes of one query.</summary>
/// <param name="Posterior">P(r|q), the head's fitted blend with its own kNN vote, over the real routes (intent routing).</param>
/// <param name="Classifier">The classifier's posterior alone, softmax(logits/T), over the real routes (to blend at another α).</param>
/// <param name="Abstain">The fitted abstention rule says the query is out of scope.</param>
public sealed record RouteHeadDecision(IReadOnlyDictionary<string, double> Posterior, IReadOnlyDictionary<string, double> Classifier, bool Abstain);
