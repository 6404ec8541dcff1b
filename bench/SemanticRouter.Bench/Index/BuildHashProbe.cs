using System.Security.Cryptography;
using SemanticRouter.Index;

namespace SemanticRouter.Bench.Index;

/// <summary>Scratch: sha256 of a one-thread build of synthetic vectors (to check that index changes keep builds byte-identical).</summary>
internal static class BuildHashProbe
{
    public static int Run(string[] args)
    {
        int n = BenchArgs.Int(args, "--n", 20_000);
        float[] all = BenchVectors.Clustered(n, 384, seed: 3);
        var index = new HnswIndex(384, new HnswOptions { M = 16, EfConstruction = 200 }, n);
        index.AddRange(Enumerable.Range(0, n).ToArray(), all, 1);
        using var stream = new MemoryStream();
        index.WriteTo(stream);
        Console.WriteLine($"n {n}: sha256 {Convert.ToHexStringLower(SHA256.HashData(stream.ToArray()))}");
        return 0;
    }
}
