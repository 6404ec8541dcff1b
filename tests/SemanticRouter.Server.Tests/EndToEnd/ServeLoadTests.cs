using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>
/// The load test of issue 27: 64 concurrent clients against a real `serve` process with its default settings,
/// a mix of RankModels (distinct queries, some with history), RecordOutcome and ListRoutes. No call may fail;
/// p50, p99, p99 ÷ p50 and the server's RSS at start and end are reported. CI runs it for
/// <see cref="DefaultSeconds"/> s; SEMANTIC_ROUTER_LOAD_SECONDS=300 is the full 5-minute run (docs/deploy.md).
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ServeLoadTests
{
    private const int Clients = 64;
    private const int DefaultSeconds = 15;

    private static readonly string[] Subjects = ["a python function", "my rust borrow error", "a SQL join", "a haiku about autumn", "the derivative of x^2", "a cover letter", "a regex for emails", "the capital of Peru"];
    private static readonly string[] Verbs = ["write", "explain", "fix", "review", "summarise", "translate", "improve", "check"];

    [Fact]
    public async Task SixtyFourClients_NoCallFails_ReportsLatencyAndMemory()
    {
        var ct = TestContext.Current.CancellationToken;
        int seconds = int.TryParse(Environment.GetEnvironmentVariable("SEMANTIC_ROUTER_LOAD_SECONDS"), CultureInfo.InvariantCulture, out var s) && s > 0 ? s : DefaultSeconds;
        await using var served = new ServedRouter();
        await served.InitializeAsync();
        await served.AssertServingAsync(ct);
        double rssStart = served.Serve.ResidentMiB();

        var latencies = new List<double>[Clients];
        var failures = new List<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var workers = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = [];
            var random = new Random(c);
            int n = 0;
            while (!stop.IsCancellationRequested)
            {
                n++;
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var deadline = DateTime.UtcNow.AddSeconds(30);
                    if (n % 10 == 0)
                    {
                        await served.Client.ListRoutesAsync(new ListRoutesRequest(), served.Query, deadline, ct);
                    }
                    else
                    {
                        var request = new RankModelsRequest { Query = $"{Verbs[random.Next(Verbs.Length)]} {Subjects[random.Next(Subjects.Length)]} #{random.Next(100_000)}" };
                        if (n % 4 == 0)
                        {
                            request.History.Add(new Turn { Role = "user", Text = $"earlier: {Subjects[random.Next(Subjects.Length)]}" });
                        }

                        var reply = await served.Client.RankModelsAsync(request, served.Query, deadline, ct);
                        if (n % 5 == 0)
                        {
                            await served.Client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = reply.RequestId, Model = reply.Models[0].Model, Success = random.Next(2) == 0 }, served.Query, deadline, ct);
                        }
                    }

                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (RpcException e)
                {
                    lock (failures)
                    {
                        failures.Add($"{e.StatusCode}: {e.Status.Detail}");
                    }
                }
            }
        }, ct)).ToArray();
        await Task.WhenAll(workers);
        double rssEnd = served.Serve.ResidentMiB();

        var all = latencies.SelectMany(l => l).Order().ToArray();
        double P(double q) => all[Math.Min(all.Length - 1, (int)(q * all.Length))];
        string report = string.Create(CultureInfo.InvariantCulture,
            $"load: {Clients} clients, {seconds} s, {all.Length} calls ({all.Length / (double)seconds:0} /s), {failures.Count} failed; p50 {P(0.5):0.0} ms, p99 {P(0.99):0.0} ms, p99/p50 {P(0.99) / P(0.5):0.0}; RSS {rssStart:0} MiB at start, {rssEnd:0} MiB at end");
        TestContext.Current.SendDiagnosticMessage(report);
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Console.WriteLine(report);

        Assert.True(failures.Count == 0, $"{failures.Count} calls failed, e.g. {failures.FirstOrDefault()}; {report}");
        Assert.True(all.Length >= Clients, report);
        Assert.False(served.Serve.HasExited);
    }
}
