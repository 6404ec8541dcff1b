using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;

namespace SemanticRouter.Core.Tests.Ranking;

/// <summary>
/// The conversation set against the real all-MiniLM-L6-v2 (run on demand:
/// <c>dotnet test --project tests/SemanticRouter.Core.Tests -- --explicit only</c>; the model folder
/// comes from SEMANTIC_ROUTER_MODEL, else $SEMANTIC_ROUTER_SHARED/models/all-MiniLM-L6-v2). A minimal
/// encoder (BERT tokenizer → ONNX → mean pool → L2) and exact search over
/// tests/data/conversation-routes.jsonl stand in for the project's encoder and index.
/// </summary>
public class ConversationBenchmarkModelTests
{
    [Fact(Explicit = true)]
    public void RealModel_BlendingHelpsOnFollowUps()
    {
        var dir = Environment.GetEnvironmentVariable("SEMANTIC_ROUTER_MODEL")
            ?? Path.Combine(Environment.GetEnvironmentVariable("SEMANTIC_ROUTER_SHARED") ?? "/work/shared", "models", "all-MiniLM-L6-v2");
        Assert.SkipUnless(File.Exists(Path.Combine(dir, "model.onnx")), $"no model in {dir}");
        var tokenizer = BertTokenizer.Create(Path.Combine(dir, "vocab.txt"));
        using var session = new InferenceSession(Path.Combine(dir, "model.onnx"));

        float[] Embed(string text)
        {
            var ids = tokenizer.EncodeToIds(text).Select(i => (long)i).ToArray();
            var shape = new[] { 1, ids.Length };
            var inputs = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
                NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, ids.Length).ToArray(), shape)),
                NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[ids.Length], shape)),
            };
            using var outputs = session.Run(inputs);
            var hidden = outputs[0].AsTensor<float>();
            var dims = hidden.Dimensions[2];
            var v = new float[dims];
            for (var t = 0; t < ids.Length; t++)
            {
                for (var d = 0; d < dims; d++)
                {
                    v[d] += hidden[0, t, d] / ids.Length;
                }
            }

            var norm = TensorPrimitives.Norm(v);
            TensorPrimitives.Divide(v, norm, v);
            return v;
        }

        var utterances = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "data", "conversation-routes.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (Route: e.GetProperty("route").GetString()!, Text: e.GetProperty("utterance").GetString()!))
            .ToArray();
        var vectors = utterances.Select(u => Embed(u.Text)).ToArray();
        IReadOnlyList<Neighbor> Search(float[] q) => [.. utterances
            .Select((u, i) => new Neighbor(i, UtteranceKey.Of(u.Route, u.Text), u.Route, u.Text, TensorPrimitives.Dot(q, vectors[i])))
            .OrderByDescending(n => n.Similarity).Take(10)];

        var cases = ConversationBenchmark.Load(Path.Combine(AppContext.BaseDirectory, "data", "conversations.jsonl"));
        var lines = new List<string>();
        foreach (var decay in new[] { 0.0, 0.3, 0.5, 0.7, 0.9 })
        {
            var options = new RankingOptions { ConversationDecay = decay };
            var all = ConversationBenchmark.Evaluate(cases, Embed, Search, options);
            var followUps = ConversationBenchmark.Evaluate([.. cases.Where(c => c.Kind != "switch")], Embed, Search, options);
            var switches = ConversationBenchmark.Evaluate([.. cases.Where(c => c.Kind == "switch")], Embed, Search, options);
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"γ={decay:0.0}: last turn only → blended: all {all.LastTurnOnly:P0} → {all.Blended:P0}; follow-ups ({followUps.Cases}) {followUps.LastTurnOnly:P0} → {followUps.Blended:P0}; topic switches ({switches.Cases}) {switches.LastTurnOnly:P0} → {switches.Blended:P0}"));
        }

        var report = string.Join('\n', lines);
        TestContext.Current.TestOutputHelper!.WriteLine(report);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "semantic-router-conversations.txt"), report + "\n");
        var defaults = ConversationBenchmark.Evaluate(cases, Embed, Search);
        Assert.True(defaults.Blended > defaults.LastTurnOnly, report);
    }
}
