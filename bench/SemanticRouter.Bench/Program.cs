// Dispatch on the first argument; each mode lives in its own folder.
return args switch
{
    ["grpc", .. var rest] => await SemanticRouter.Bench.Grpc.GrpcBench.RunAsync(rest),
    ["grpc-demo-server", .. var rest] => await SemanticRouter.Bench.Grpc.SelfHost.ServeAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.WriteLine("benchmarks: see bench/README.md");
    Console.WriteLine("  grpc --address http://127.0.0.1:50051 [--api-key KEY] [--queries FILE] [--seconds 5] [--concurrency 1,8,32,64]");
    Console.WriteLine("  grpc --self-host [...]   (in-process server with a constant-time engine: the server's own overhead)");
    Console.WriteLine("  grpc --simulated-encoder 2,0.1 [...]   (self-hosted; an encoder costing 2 ms per call + 0.1 ms per text, bare then micro-batched)");
    Console.WriteLine("  grpc-demo-server [--port 50051]   (that server alone, until Ctrl+C: for trying the examples)");
    return 2;
}
