using System.Net;
using System.Net.Sockets;
using SemanticRouter.Embeddings;
using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests;

/// <summary>A loopback hub serving the shared model folder in Hugging Face layout
/// (/{name}/resolve/main/{path}, the model at onnx/model.onnx).</summary>
internal sealed class FakeHub : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public FakeHub(string modelDirectory, long? cutModelAfterBytes = null)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        BaseUrl = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                _ = Task.Run(() => Serve(context, modelDirectory, cutModelAfterBytes));
            }
        });
    }

    public string BaseUrl { get; }

    public List<string> Requests { get; } = [];

    private async Task Serve(HttpListenerContext context, string modelDirectory, long? cut)
    {
        string path = context.Request.Url!.AbsolutePath;
        lock (Requests)
        {
            Requests.Add(path);
        }

        const string prefix = "/sentence-transformers/all-MiniLM-L6-v2/resolve/main/";
        string? file = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : null;
        if (file == "onnx/model.onnx")
        {
            file = "model.onnx";
        }

        string? local = file is null ? null : Path.Combine(modelDirectory, file);
        try
        {
            if (local is null || !File.Exists(local))
            {
                context.Response.StatusCode = 404;
                context.Response.Close();
                return;
            }

            byte[] content = await File.ReadAllBytesAsync(local);
            context.Response.ContentLength64 = content.Length;
            if (file == "model.onnx" && cut is { } n)
            {
                await context.Response.OutputStream.WriteAsync(content.AsMemory(0, (int)n));
                await context.Response.OutputStream.FlushAsync();
                context.Response.Abort(); // the connection drops mid-file
                return;
            }

            await context.Response.OutputStream.WriteAsync(content);
            context.Response.Close();
        }
        catch (HttpListenerException)
        {
        }
    }

    public void Dispose()
    {
        // Close alone, not Stop then Close: the managed listener's Close removes each prefix through
        // its endpoint listener, and after Stop that listener is gone, so Close binds the port again
        // (seen failing with "Address already in use" when the port was taken meanwhile).
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

public sealed class ModelPullCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("sr-pull-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Pull_FromLoopbackHub_LaysOutValidModelFolder()
    {
        using var hub = new FakeHub(SharedPaths.MiniLmModel);
        string target = Path.Combine(_temp, "models", "minilm");
        var result = CliRunner.Run("model", "pull", "--to", target, "--base-url", hub.BaseUrl);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var folder = ModelFolder.Open(target);
        Assert.Equal(384, folder.Dimensions);
        Assert.True(File.Exists(Path.Combine(target, "model.onnx")));
        Assert.True(File.Exists(Path.Combine(target, "1_Pooling", "config.json")));
        Assert.Equal("0719c2a24ae83958333ffdd5cc5b5fed2b180a1778fce902e45b0ccd1534ad6a", folder.Fingerprint);
        Assert.Contains(folder.Fingerprint, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("/sentence-transformers/all-MiniLM-L6-v2/resolve/main/onnx/model.onnx", hub.Requests);
        Assert.Single(Directory.GetFileSystemEntries(Path.Combine(_temp, "models"))); // no temporary folders left
    }

    [Fact]
    public void Pull_InterruptedDownload_LeavesNoFolder()
    {
        using var hub = new FakeHub(SharedPaths.MiniLmModel, cutModelAfterBytes: 1 << 20);
        string parent = Path.Combine(_temp, "models");
        string target = Path.Combine(parent, "minilm");
        var result = CliRunner.Run("model", "pull", "--to", target, "--base-url", hub.BaseUrl);
        CliRunner.AssertOneLineError(result, ExitCodes.Network, "interrupted");
        Assert.False(Directory.Exists(target));
        Assert.Empty(Directory.GetFileSystemEntries(parent));
    }

    [Fact]
    public void Pull_UnknownModel_FailsWithHttpStatus()
    {
        using var hub = new FakeHub(SharedPaths.MiniLmModel);
        string parent = Path.Combine(_temp, "models");
        var result = CliRunner.Run("model", "pull", "someone/missing-model", "--to", Path.Combine(parent, "x"), "--base-url", hub.BaseUrl);
        CliRunner.AssertOneLineError(result, ExitCodes.Network, "HTTP 404");
        Assert.Empty(Directory.GetFileSystemEntries(parent));
    }

    [Fact]
    public void Pull_ExistingTarget_IsRefusedWithoutForce()
    {
        string target = Path.Combine(_temp, "existing");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "keep.txt"), "mine");
        var result = CliRunner.Run("model", "pull", "--to", target, "--base-url", "http://127.0.0.1:9/");
        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "already exists");
        Assert.True(File.Exists(Path.Combine(target, "keep.txt")));
    }
}
