using SemanticRouter.Evaluation;
using SemanticRouter.Ranking;

namespace SemanticRouter.Artifacts;

/// <summary>
/// The fitted route head of an artefact: the classifier trained at build time on the utterance
/// vectors and the parameters `fit` chose (k, τ, α, temperature, abstention rule). With it the
/// served router blends the head with the kNN vote exactly as `eval` measures it.
/// </summary>
public sealed class RouteHead
{
    public RouteHead(RouteClassifier classifier, FittedParameters parameters)
    {
        Classifier = classifier ?? throw new ArgumentNullException(nameof(classifier));
        Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        RouteIndex = classifier.Routes.Select((r, i) => (r, i)).ToDictionary(x => x.r, x => x.i, StringComparer.Ordinal);
        InScopeRoutes = classifier.Routes.Count(r => r != RouterFitter.OutOfScopeClass);
    }

    public RouteClassifier Classifier { get; }

    public FittedParameters Parameters { get; }

    /// <summary>Route name → class index of the classifier.</summary>
    public IReadOnlyDictionary<string, int> RouteIndex { get; }

    /// <summary>Classes that are real routes (the out-of-scope class, when trained, comes last).</summary>
    public int InScopeRoutes { get; }

    /// <summary>
    /// The blended posterior P(r|q) over routes, the classifier's own posterior (for a ranker that blends
    /// it with its own vote) and the fitted abstention decision for one query, from its neighbours
    /// (<paramref name="neighborRoutes"/>: the class index of each hit's route, most similar first).
    /// </summary>
    public (Dictionary<string, double> Posterior, Dictionary<string, double> Classifier, bool Abstain) Decide(ReadOnlySpan<float> query, IReadOnlyList<(int RouteClass, float Similarity)> neighborRoutes)
    {
        var logits = new float[Classifier.Routes.Count];
        Classifier.Logits(query, logits);
        // Rows of the neighbour list are positions in this call's own route table.
        var hits = new Evaluation.Neighbor[neighborRoutes.Count];
        var rowRoute = new int[neighborRoutes.Count];
        for (int i = 0; i < hits.Length; i++)
        {
            hits[i] = new Evaluation.Neighbor(i, neighborRoutes[i].Similarity);
            rowRoute[i] = neighborRoutes[i].RouteClass;
        }

        var held = new HeldOut(hits, logits, -1);
        double score = RouterFitter.AbstainScore(held, Parameters, Parameters.AbstainRule, InScopeRoutes, rowRoute, out _);
        var posterior = new float[InScopeRoutes];
        RouterFitter.Posterior(logits, hits, rowRoute, Parameters, posterior);
        var classifier = new float[logits.Length];
        RouterFitter.HeadPosterior(logits, Parameters.HeadTemperature, classifier);
        bool abstain = Parameters.AbstainRule != "none" && score < Parameters.Threshold;
        return (InScope(posterior), InScope(classifier), abstain);
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
}
