using SemanticRouter.Server.Tests.Infrastructure;

namespace SemanticRouter.Server.Tests.Interop;

/// <summary>
/// The example clients of examples/ against real Kestrel with the fake backend: they rank, and
/// report an outcome only with --record (an example run must not teach the router a success).
/// examples/install.sh installs what they need.
/// </summary>
[Trait("Category", "EndToEnd")] // Python and Node client processes: ./test.sh --all
public class ExampleClientTests
{
    [Fact]
    public Task Python_RecordsAnOutcomeOnlyWithRecord() => RecordsOnlyWhenAskedAsync(
        "/usr/bin/python3", Path.Combine("examples", "python", "rank.py"),
        "python3-grpcio and python3-grpc-tools are needed: examples/install.sh");

    [Fact]
    public Task Node_RecordsAnOutcomeOnlyWithRecord()
    {
        var nodeDir = Path.Combine(SemanticRouter.Tests.TestDirectory.RepositoryRoot, "examples", "node");
        Assert.True(Directory.Exists(Path.Combine(nodeDir, "node_modules", "@grpc", "grpc-js")),
            $"The Node example's packages are missing: run 'npm ci --prefix {nodeDir}' (or examples/install.sh).");
        return RecordsOnlyWhenAskedAsync("node", Path.Combine("examples", "node", "rank.js"), "Node.js 18+ is needed: examples/install.sh");
    }

    private static async Task RecordsOnlyWhenAskedAsync(string program, string script, string installHint)
    {
        await using var host = await TestHost.StartAsync(inProcess: false);
        string address = $"127.0.0.1:{host.GrpcAddress.Port}";

        var plain = await RunAsync(program, script, address, installHint, "write a python function that sorts a list");
        Assert.Contains("route: code", plain, StringComparison.Ordinal);
        Assert.Contains("not recorded: --record reports that coder succeeded", plain, StringComparison.Ordinal);
        Assert.Empty(host.Router.Outcomes);

        var recorded = await RunAsync(program, script, address, installHint, "--record", "write a python function that sorts a list");
        Assert.Contains("recorded: coder succeeded", recorded, StringComparison.Ordinal);
        var outcome = Assert.Single(host.Router.Outcomes);
        Assert.Equal("coder", outcome.Model);
    }

    private static async Task<string> RunAsync(string program, string script, string address, string installHint, params string[] args)
    {
        var environment = new Dictionary<string, string?> { ["SEMANTIC_ROUTER_ADDRESS"] = address, ["SEMANTIC_ROUTER_API_KEY"] = null };
        var (exitCode, output, errors) = await ClientScript.RunAsync(program, script, args, installHint, environment);
        Assert.True(exitCode == 0, $"{script} exited with {exitCode}: {errors.Trim()}\n{output}\n{installHint}");
        return output;
    }
}
