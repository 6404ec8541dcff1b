using SemanticRouter.Bench;
using SemanticRouter.Bench.Index;

// Peer-comparison benchmarks, one per first argument; see bench/README.md.
return args.FirstOrDefault() switch
{
    "hnsw" => HnswBenchmark.Run(args[1..]),
    "encoder" => EncoderBench.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/SemanticRouter.Bench -- <benchmark> [options]   (benchmarks: hnsw, encoder; see bench/README.md)");
    return 2;
}
