using System.Numerics.Tensors;
using SemanticRouter.Neighbors;
using SemanticRouter.Ranking;
using static SemanticRouter.Core.Tests.Ranking.RankingFixtures;

namespace SemanticRouter.Core.Tests.Ranking;

public class ConversationEmbeddingTests
{
    [Fact]
    public void Blend_NoEarlierTurns_ReturnsNormalisedLast()
    {
        var v = ConversationEmbedding.Blend([3f, 4f], [], 0.5);
        Assert.Equal([0.6f, 0.8f], v);
    }

    [Fact]
    public void Blend_FollowsFormula_PreviousTurnWeighsDecay()
    {
        // earlier oldest first: e1 weighs γ², e2 weighs γ.
        var v = ConversationEmbedding.Blend([1f, 0f, 0f], [[0f, 0f, 5f], [0f, 2f, 0f]], 0.5);
        var expected = new[] { 1f, 0.5f, 0.25f };
        var norm = TensorPrimitives.Norm(expected);
        Assert.Equal(expected.Select(x => x / norm), v, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(1f, TensorPrimitives.Norm(v), 5);
    }

    [Fact]
    public void Blend_ZeroDecay_IgnoresEarlierTurns()
    {
        Assert.Equal([1f, 0f], ConversationEmbedding.Blend([2f, 0f], [[0f, 1f]], 0));
    }

    [Fact]
    public void Blend_RejectsMismatchedDimensionsAndBadDecay()
    {
        Assert.Throws<ArgumentException>(() => ConversationEmbedding.Blend([1f, 0f], [[1f]], 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConversationEmbedding.Blend([1f], [], 1.0));
    }

    [Fact]
    public void LabelledSet_Loads_AndCoversFollowUpsAndTopicSwitches()
    {
        var cases = ConversationBenchmark.Load(Path.Combine(AppContext.BaseDirectory, "data", "conversations.jsonl"));
        Assert.True(cases.Count >= 30);
        Assert.True(cases.Count(c => c.Kind == "switch") >= 5);
        Assert.Equal(5, cases.Select(c => c.Route).Distinct().Count());
        Assert.All(cases, c => Assert.True(c.Turns.Count >= 2));
    }

    [Fact]
    public void Evaluate_VagueFollowUps_BlendingHelps()
    {
        // A toy world: a bag-of-words embedding over a tiny vocabulary, and an exact index of a few utterances.
        string[] vocab = ["python", "function", "integral", "derivative", "translate", "french"];
        float[] Embed(string text)
        {
            var v = new float[vocab.Length + 1];
            foreach (var word in text.ToLowerInvariant().Split(' ', '?', '.', ','))
            {
                var i = Array.IndexOf(vocab, word);
                if (i >= 0)
                {
                    v[i] += 1;
                }
            }

            v[^1] = 0.3f; // every text shares a little "generic" direction
            var norm = TensorPrimitives.Norm(v);
            return [.. v.Select(x => x / norm)];
        }

        var utterances = new[] { ("coding", "write a python function"), ("maths", "integral and derivative"), ("translation", "translate to french") };
        var vectors = utterances.Select(u => (u.Item1, Embed(u.Item2))).ToArray();
        IReadOnlyList<Neighbor> Search(float[] q) => [.. vectors
            .Select((u, i) => N(i, u.Item1, TensorPrimitives.Dot(q, u.Item2)))
            .OrderByDescending(n => n.Similarity)];

        var cases = new List<ConversationCase>
        {
            new(["write a python function for sorting", "and the other way round?"], "coding"),
            new(["what is the derivative of sin", "and the integral?"], "maths"),
            new(["translate hello to french", "and goodbye?"], "translation"),
            new(["what is the integral of x", "translate cat to french"], "translation", "switch"),
        };
        var accuracy = ConversationBenchmark.Evaluate(cases, Embed, Search, new RankingOptions { ConversationDecay = 0.5 });
        Assert.Equal(4, accuracy.Cases);
        Assert.True(accuracy.Blended > accuracy.LastTurnOnly, $"{accuracy}");
        Assert.Equal(1.0, accuracy.Blended);
    }
}
