using SemanticRouter.Bench;
using SemanticRouter.Bench.Index;

// Peer-comparison benchmarks, one per first argument; each lives in its own folder. See bench/README.md.
return args switch
{
    ["hnsw", .. var rest] => HnswBenchmark.Run(rest),
    ["scan", .. var rest] => ScanLimitBench.Run(rest),
    ["encoder", .. var rest] => EncoderBench.Run(rest),
    ["encoder-threads", .. var rest] => EncoderThreadsBench.Run(rest),
    ["coldstart", .. var rest] => await SemanticRouter.Bench.Startup.ColdStartBench.RunAsync(rest),
    ["load-phases", .. var rest] => SemanticRouter.Bench.Startup.LoadPhasesProbe.Run(rest),
    ["ortcache", .. var rest] => SemanticRouter.Bench.Startup.OptimizedModelCacheBench.Run(rest),
    ["build-hash", .. var rest] => BuildHashProbe.Run(rest),
    ["grpc", .. var rest] => await SemanticRouter.Bench.Grpc.GrpcBench.RunAsync(rest),
    ["grpc-demo-server", .. var rest] => await SemanticRouter.Bench.Grpc.SelfHost.ServeAsync(rest),
    ["outcomes", .. var rest] => await SemanticRouter.Bench.Outcomes.OutcomeStoreBench.RunAsync(rest),
    ["ranker", .. var rest] => SemanticRouter.Bench.Ranking.RankerBench.Run(rest),
    ["text-model", "memory", .. var rest] => SemanticRouter.Bench.Ranking.TextModelMemoryBench.Run(rest),
    ["text-model", "fit-child", .. var rest] => SemanticRouter.Bench.Ranking.TextModelMemoryBench.RunChild(rest),
    ["text-model", .. var rest] => SemanticRouter.Bench.Ranking.TextModelBench.Run(rest),
    ["route-thresholds", .. var rest] => SemanticRouter.Bench.Evaluation.RouteThresholdBench.Run(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/SemanticRouter.Bench -- <benchmark> [options]   (see bench/README.md)");
    Console.Error.WriteLine("  hnsw [--vectors FILE] [--full]        ours vs C++ hnswlib on the same vectors");
    Console.Error.WriteLine("  scan [--rounds 5]                     graph walk vs exact scan on small indexes (HnswOptions.ScanLimit)");
    Console.Error.WriteLine("  encoder [--threads N] [--rounds N]    end-to-end encoder vs bare InferenceSession.Run");
    Console.Error.WriteLine("  encoder-threads [--rounds 5]          intra-op threads × spinning, one query and a batch, with 0/1/2 busy neighbours");
    Console.Error.WriteLine("  coldstart [--rounds 5] [--n 100000]   serve's process start → first RankModels, example routes and a large index");
    Console.Error.WriteLine("  load-phases [--index DIR]             RouterStartup.Load phase by phase, cold then warm, in-process");
    Console.Error.WriteLine("  ortcache [--rounds 10]                session creation from the optimised-model cache vs optimising as loaded");
    Console.Error.WriteLine("  build-hash [--n 20000]                sha256 of a one-thread HNSW build (byte-identical builds across changes)");
    Console.Error.WriteLine("  grpc --address http://127.0.0.1:50051 [--api-key KEY] [--queries FILE] [--seconds 5] [--concurrency 1,8,32,64]");
    Console.Error.WriteLine("  grpc --self-host [...]                in-process server with a constant-time engine: the server's own overhead");
    Console.Error.WriteLine("  grpc --simulated-encoder 2,0.1 [...]  self-hosted; an encoder costing 2 ms per call + 0.1 ms per text, bare then micro-batched");
    Console.Error.WriteLine("  grpc-demo-server [--port 50051]       that server alone, until Ctrl+C: for trying the examples");
    Console.Error.WriteLine("  outcomes [--n 200000] [--writers 32]  group commit vs sequential durable records; open from aggregates vs rebuild");
    Console.Error.WriteLine("  ranker [--rounds 7]                   Ranker.Rank (k 10, 50) vs an inline knn-router weighted mean");
    Console.Error.WriteLine("  text-model [--rounds 5]               text outcome model: fit on MMLU outcomes; predict vs embedding a query");
    Console.Error.WriteLine("  text-model memory [--models 2,4,8,14] [--prompts 1750,7000,14037] [--text-repeat 1] [--refits 1]");
    Console.Error.WriteLine("                                        its peak RSS per fit, each in a child process, against outcomes × models");
    Console.Error.WriteLine("  route-thresholds --routes DIR         one global abstention threshold vs per-route offsets (quality, after fit)");
    return 2;
}
