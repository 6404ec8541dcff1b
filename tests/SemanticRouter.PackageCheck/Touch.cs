namespace SemanticRouter.PackageCheck;

/// <summary>Names one type of each package so a version clash fails the build, not a later issue.</summary>
internal static class Touch
{
    internal static readonly Type[] Types =
    [
        typeof(Microsoft.ML.OnnxRuntime.InferenceSession),
        typeof(Microsoft.ML.Tokenizers.BertTokenizer),
        typeof(Microsoft.Extensions.AI.IChatClient),
        typeof(Microsoft.Extensions.AI.DelegatingChatClient),
        typeof(System.Numerics.Tensors.TensorPrimitives),
        typeof(YamlDotNet.RepresentationModel.YamlStream),
        typeof(System.CommandLine.RootCommand),
        typeof(Spectre.Console.AnsiConsole),
        typeof(Microsoft.Data.Sqlite.SqliteConnection),
        typeof(StackExchange.Redis.ConnectionMultiplexer),
        typeof(System.IO.Hashing.XxHash64),
        typeof(Grpc.AspNetCore.Server.GrpcServiceOptions),
        typeof(Grpc.Reflection.ReflectionServiceImpl),
        typeof(Grpc.HealthCheck.HealthServiceImpl),
        typeof(Grpc.Net.Client.GrpcChannel),
        typeof(Prometheus.MetricServerMiddleware),
        typeof(Microsoft.SemanticKernel.IAIServiceSelector),
        typeof(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<>),
        typeof(ScottPlot.Plot),
        typeof(BenchmarkDotNet.Running.BenchmarkRunner),
        typeof(FsCheck.Xunit.PropertyAttribute),
        typeof(Xunit.Assert),
    ];
}
