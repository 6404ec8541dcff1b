using System.Net;
using System.Net.Sockets;
using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests.Commands;

/// <summary>The example routes indexed once with the shared model, for the `serve` processes below.</summary>
public sealed class ExampleIndexFixture : IDisposable
{
    private readonly TestDirectory _dir = new();

    public ExampleIndexFixture()
    {
        Index = Path.Combine(_dir.Path, "index");
        var build = CliRunner.Run("build", "--routes", _dir.CopyExampleRoutes(), "--out", Index, "--model", SharedPaths.MiniLmModel);
        Assert.True(build.ExitCode == 0, build.Stderr);
    }

    public string Index { get; }

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// `semantic-router health` against real `serve` processes (the container's HEALTHCHECK runs it):
/// SERVING is exit 0 with or without an API key on the server; anything else is one line and a
/// non-zero code.
/// </summary>
public sealed class HealthCommandTests(ExampleIndexFixture example) : IClassFixture<ExampleIndexFixture>
{
    /// <summary>
    /// The first call on a fresh server JITs its way through Kestrel and the health service; on a
    /// machine busy with other suites that took longer than health's default 2 s. These tests are
    /// about the answer, not its speed.
    /// </summary>
    private const string GenerousTimeout = "60s";

    [Fact]
    public async Task ServingServer_ExitZero_OneLine()
    {
        using var server = await ServeProcess.StartAsync(example.Index, apiKey: null);

        var result = CliRunner.Run("health", "--address", server.Address, "--timeout", GenerousTimeout);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.Stderr);
        Assert.Equal([$"SERVING {server.Address}"], result.StdoutLines);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task ServerWithApiKey_HealthNeedsNoKey_ExitZero()
    {
        using var server = await ServeProcess.StartAsync(example.Index, apiKey: "health-test-key-0123456789");
        Assert.Contains("api key required: True", server.ListeningLine, StringComparison.Ordinal);

        var result = CliRunner.Run("health", "--address", server.Address, "--timeout", GenerousTimeout);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.Stderr);
        Assert.Equal([$"SERVING {server.Address}"], result.StdoutLines);
    }

    [Fact]
    public void NothingListening_NetworkExit_OneLine()
    {
        // A port that was free a moment ago: connecting is refused.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = CliRunner.Run("health", "--address", $"http://127.0.0.1:{port}");

        CliRunner.AssertOneLineError(result, ExitCodes.Network, $"semantic-router health: no gRPC server answering at http://127.0.0.1:{port}");
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void ListenerThatNeverAnswers_GivesUpAtTheTimeout_OneLine()
    {
        // The kernel accepts the connection into the backlog, but nothing ever speaks HTTP/2.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;

            var result = CliRunner.Run("health", "--address", $"http://127.0.0.1:{port}", "--timeout", "300ms");

            CliRunner.AssertOneLineError(result, ExitCodes.Network, $"no answer from http://127.0.0.1:{port} within 0.3 s");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Theory]
    [InlineData("--address", "ftp://example.org", "--address must be an http:// or https:// URL")]
    [InlineData("--address", "127.0.0.1:50051", "--address must be an http:// or https:// URL")]
    [InlineData("--timeout", "0s", "--timeout must be a duration above 0")]
    [InlineData("--timeout", "10m", "--timeout must be a duration above 0 and at most 5m")]
    [InlineData("--timeout", "soon", "--timeout must be a duration")]
    public void BadFlags_BadInputExit_OneLine(string flag, string value, string message)
    {
        var result = CliRunner.Run("health", flag, value);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, message);
    }

    [Fact]
    public void LongAddress_IsNotEchoedWhole()
    {
        string address = "ftp://" + new string('x', 10_000);

        var result = CliRunner.Run("health", "--address", address);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "--address must be");
        Assert.True(result.Stderr.Length < 400, result.Stderr.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2000)]
    [InlineData("1.5s", 1500)]
    [InlineData("1m", 60_000)]
    [InlineData("3", 3000)]
    public void Timeout_Units(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), global::SemanticRouter.Cli.Commands.HealthCommand.ParseTimeout(text));
}
