using SemanticRouter.Artifacts;

namespace SemanticRouter.Bench.Index;

/// <summary>Real embeddings for the benchmark: the vectors stored in built index artefacts, written
/// as one raw float32 file (rows in artefact order, artefacts in the order given).</summary>
internal static class ArtifactVectors
{
    internal static string Export(IReadOnlyList<string> indexDirectories)
    {
        string path = Path.Combine(Path.GetTempPath(), $"semantic-router-bench-{Environment.ProcessId}.f32");
        using var stream = File.Create(path);
        foreach (string directory in indexDirectories)
        {
            var artifact = RouterArtifact.Load(directory);
            foreach (var u in artifact.Utterances)
            {
                stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(artifact.Index.GetVector(u.Id)));
            }
        }

        return path;
    }
}
