using SemanticRouter.Neighbors;
using System.Globalization;
using System.Text;
using SemanticRouter.Artifacts;
using SemanticRouter.Bench.Index;
using SemanticRouter.Embeddings;
using SemanticRouter.Index;
using SemanticRouter.Routes;

namespace SemanticRouter.Bench.Startup;

/// <summary>
/// A large index artefact without embedding its utterances: route files holding <c>count</c> unique
/// utterances (real CLINC150 texts, numbered) over 100 routes, and synthetic clustered unit vectors
/// in their place. Loading it costs what loading a real one of that size costs (same files, same
/// checks); its neighbours are meaningless, which a start-up measure does not care about.
/// </summary>
internal static class SyntheticArtifact
{
    public static string Create(string directory, int count, ModelFolder model, string[] texts, Action<string> log)
    {
        string routes = Path.Combine(directory, "routes");
        Directory.CreateDirectory(routes);
        File.Copy(Path.Combine(SemanticRouter.Tests.SharedPaths.RepositoryRoot, "routes", "models.yaml"), Path.Combine(routes, "models.yaml"));
        const int Routes = 100;
        const int Files = 10;
        var builders = Enumerable.Range(0, Files).Select(_ => new StringBuilder("routes:\n")).ToArray();
        int perRoute = (count + Routes - 1) / Routes;
        int written = 0;
        for (int r = 0; r < Routes && written < count; r++)
        {
            var b = builders[r % Files];
            b.Append(CultureInfo.InvariantCulture, $"  - name: synthetic-{r:000}\n    description: Synthetic route {r} of the start-up benchmark.\n    targets:\n      - model: gpt-4o\n        prior: 0.8\n      - model: gpt-4o-mini\n        prior: 0.6\n    utterances:\n");
            for (int i = 0; i < perRoute && written < count; i++, written++)
            {
                string text = texts[written % texts.Length].Replace("\"", "'", StringComparison.Ordinal);
                b.Append(CultureInfo.InvariantCulture, $"      - \"{text} (#{written})\"\n");
            }
        }

        for (int f = 0; f < Files; f++)
        {
            File.WriteAllText(Path.Combine(routes, $"synthetic-{f:00}.yaml"), builders[f].ToString());
        }

        var catalog = RouteCatalog.Load(routes);
        var utterances = new List<UtteranceEntry>(count);
        foreach (var route in catalog.Routes)
        {
            foreach (string text in route.Utterances)
            {
                utterances.Add(new UtteranceEntry(utterances.Count, route.Name, text));
            }
        }

        log($"  {utterances.Count:N0} utterances in {catalog.Routes.Count} routes; building the graph over synthetic vectors (all cores)...");
        float[] vectors = BenchVectors.Clustered(utterances.Count, model.Dimensions, seed: 11);
        var hnsw = new HnswOptions { EfSearch = 128 };
        var index = new HnswIndex(model.Dimensions, hnsw, utterances.Count);
        index.AddRange(Enumerable.Range(0, utterances.Count).ToArray(), vectors, -1);
        var hnswInfo = new ArtifactHnswInfo(hnsw.M, hnsw.EfConstruction, hnsw.EfSearch, hnsw.Seed);
        string output = Path.Combine(directory, "index");
        ArtifactWriter.Write(output, new ArtifactWriter.Contents(
            new ArtifactModelInfo(model.Name, model.Fingerprint, model.Dimensions, model.Directory),
            new ArtifactRoutesInfo(catalog.ContentHash, routes),
            hnswInfo,
            new ArtifactCounts(catalog.Routes.Count, utterances.Count, catalog.Models.Count),
            IndexBuilder.IndexVersionOf(catalog.ContentHash + "|synthetic-vectors", model.Fingerprint, hnswInfo),
            catalog.Files,
            utterances,
            index));
        return output;
    }
}
