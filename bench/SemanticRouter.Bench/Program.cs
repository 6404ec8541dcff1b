using SemanticRouter.Bench.Index;

// Peer-comparison benchmarks, one per first argument; see bench/README.md.
return args.FirstOrDefault() switch
{
    "hnsw" => HnswBenchmark.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: SemanticRouter.Benchmarks <benchmark> [options]   (benchmarks: hnsw; see bench/README.md)");
    return 2;
}
