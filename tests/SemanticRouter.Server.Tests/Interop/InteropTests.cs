using SemanticRouter.Server.Tests.Infrastructure;

namespace SemanticRouter.Server.Tests.Interop;

/// <summary>
/// Runs the Python (grpcio) and Node (@grpc/grpc-js) interop clients of tests/interop against real
/// Kestrel on 127.0.0.1 with the fake router and an API key. Nothing is skipped: a missing
/// runtime or package fails the test with the command that installs it
/// (tests/interop/install.sh does all of it).
/// </summary>
[Trait("Category", "EndToEnd")] // Python and Node client processes: ./test.sh --all
public class InteropTests
{
    private const string ApiKey = "interop-test-key-0123456789";

    [Fact]
    public Task Python_AllCasesPass() => RunClientAsync(
        "/usr/bin/python3",
        Path.Combine("tests", "interop", "python", "interop_client.py"),
        "python3-grpcio and python3-grpc-tools are needed: apt-get install -y python3-grpcio python3-grpc-tools (or tests/interop/install.sh)");

    [Fact]
    public Task Node_AllCasesPass()
    {
        var nodeDir = Path.Combine(RepoRoot(), "tests", "interop", "node");
        Assert.True(Directory.Exists(Path.Combine(nodeDir, "node_modules", "@grpc", "grpc-js")),
            $"The Node interop client's packages are missing: run 'npm ci --prefix {nodeDir}' (or tests/interop/install.sh).");
        return RunClientAsync("node", Path.Combine("tests", "interop", "node", "interop_client.js"),
            "Node.js 18+ is needed: apt-get install -y nodejs npm (or tests/interop/install.sh)");
    }

    private static async Task RunClientAsync(string program, string script, string installHint)
    {
        var corrupt = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"semantic-router-corrupt-{Guid.NewGuid():N}"));
        await File.WriteAllTextAsync(Path.Combine(corrupt.FullName, "manifest.json"), "{ this is not a manifest");
        try
        {
            await using var host = await TestHost.StartAsync(inProcess: false, new() { ["ApiKey"] = ApiKey, ["AdminKey"] = ApiKey });
            // A client that resets its stream while the server still reads the request (grpc-js does
            // for an already-expired deadline) makes grpc-dotnet log an error; that is the client's doing.
            host.ExpectError(e => e.Exception is IOException && e.Exception.Message.Contains("client reset", StringComparison.OrdinalIgnoreCase));
            var address = $"127.0.0.1:{host.GrpcAddress.Port}";
            var (exitCode, output, errors) = await ClientScript.RunAsync(program, script, ["--address", address, "--api-key", ApiKey, "--corrupt-index", corrupt.FullName], installHint);
            if (exitCode == 3)
            {
                Assert.Fail($"{script}: {errors.Trim()}\n{installHint}");
            }

            Assert.True(exitCode == 0, $"{script} exited with {exitCode}:\n{output}\n{errors}");
            Assert.Contains(" 0 failed", output, StringComparison.Ordinal);
            Assert.DoesNotContain("FAIL ", output, StringComparison.Ordinal);
            Assert.Contains("PASS reload_corrupt_artifact", output, StringComparison.Ordinal);
            Assert.Contains("PASS wrong_api_key", output, StringComparison.Ordinal);
        }
        finally
        {
            corrupt.Delete(recursive: true);
        }
    }

    private static string RepoRoot() => SemanticRouter.Tests.TestDirectory.RepositoryRoot;
}
