using System.Net;
using System.Security.Cryptography;
using SemanticRouter.IO;

namespace SemanticRouter.Embeddings;

/// <summary>A download that failed: network error, HTTP status, a short body or a checksum mismatch.</summary>
public sealed class ModelDownloadException : Exception
{
    public ModelDownloadException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    public ModelDownloadException()
    {
    }

    public ModelDownloadException(string message)
        : base(message)
    {
    }
}

/// <summary>Progress of one file of a model download.</summary>
public readonly record struct ModelDownloadProgress(string File, long Received, long? Total, bool Done);

/// <summary>
/// Downloads a sentence model from a Hugging Face hub-style server
/// (<c>{base}/{name}/resolve/main/{path}</c>) into our model-folder layout (model.onnx at the
/// root), atomically: files go to a temporary folder beside the target, the folder is validated
/// with <see cref="ModelFolder.Open"/>, and only then renamed into place. Any failure removes the
/// temporary folder, so an interrupted download never leaves a half-written model folder.
/// </summary>
public sealed class ModelDownloader(HttpClient http)
{
    public const string DefaultModelName = "sentence-transformers/all-MiniLM-L6-v2";
    public const string DefaultBaseUrl = "https://huggingface.co";
    public const string BaseUrlEnvironmentVariable = "SEMANTIC_ROUTER_HF_BASE";

    /// <summary>(remote path, local path, required) for every file of a model folder.</summary>
    public static IReadOnlyList<(string Remote, string Local, bool Required)> Files { get; } =
    [
        ("onnx/model.onnx", ModelFolder.ModelFileName, true),
        ("vocab.txt", ModelFolder.VocabFileName, true),
        ("tokenizer_config.json", ModelFolder.TokenizerConfigFileName, true),
        ("tokenizer.json", ModelFolder.TokenizerFileName, false),
        ("special_tokens_map.json", "special_tokens_map.json", false),
        ("config.json", ModelFolder.ConfigFileName, false),
        ("sentence_bert_config.json", ModelFolder.SentenceBertConfigFileName, false),
        ("modules.json", "modules.json", false),
        ("1_Pooling/config.json", ModelFolder.PoolingConfigFileName, false),
    ];

    /// <summary>Downloads <paramref name="name"/> into <paramref name="targetDirectory"/> and returns the opened folder.</summary>
    /// <exception cref="ModelDownloadException">network or HTTP failure, short body, checksum mismatch.</exception>
    /// <exception cref="ModelFolderException">the downloaded files do not make a valid model folder.</exception>
    public async Task<ModelFolder> PullAsync(string name, string targetDirectory, Uri baseUrl, bool overwrite = false,
        IProgress<ModelDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetDirectory);
        ArgumentNullException.ThrowIfNull(baseUrl);
        string target = Path.GetFullPath(targetDirectory);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !overwrite)
        {
            throw new IOException($"{target} already exists and is not empty (use --force to replace it)");
        }

        await AtomicWrite.ReplaceDirectoryAsync(target, async temp =>
        {
            foreach (var (remote, local, required) in Files)
            {
                var uri = new Uri(baseUrl, $"{baseUrl.AbsolutePath.TrimEnd('/')}/{name.Trim('/')}/resolve/main/{remote}");
                await DownloadAsync(uri, Path.Combine(temp, local), required, progress, cancellationToken).ConfigureAwait(false);
            }

            ModelFolder.Open(temp); // validates before anything is moved into place
        }).ConfigureAwait(false);
        return ModelFolder.Open(target);
    }

    private async Task DownloadAsync(Uri uri, string path, bool required, IProgress<ModelDownloadProgress>? progress, CancellationToken ct)
    {
        string file = Path.GetFileName(path);
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ModelDownloadException($"{uri}: {e.Message}", e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound && !required)
            {
                return;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ModelDownloadException($"{uri}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            long? total = response.Content.Headers.ContentLength;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            long received = 0;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                byte[] buffer = new byte[1 << 16];
                int read;
                while ((read = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                    sha.AppendData(buffer, 0, read);
                    received += read;
                    progress?.Report(new ModelDownloadProgress(file, received, total, false));
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException && e is not ModelDownloadException)
            {
                throw new ModelDownloadException($"{uri}: download interrupted after {received} bytes ({e.Message})", e);
            }

            if (total is { } expected && received != expected)
            {
                throw new ModelDownloadException($"{uri}: download interrupted: {received} of {expected} bytes");
            }

            // Hugging Face sends the sha256 of LFS files (the model) as X-Linked-ETag / ETag.
            string actual = Convert.ToHexStringLower(sha.GetHashAndReset());
            string? claimed = Sha256Header(response);
            if (claimed is not null && !string.Equals(claimed, actual, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelDownloadException($"{uri}: sha256 {actual} does not match the server's {claimed}");
            }

            progress?.Report(new ModelDownloadProgress(file, received, total, true));
        }
    }

    private static string? Sha256Header(HttpResponseMessage response)
    {
        foreach (string header in new[] { "X-Linked-ETag", "ETag" })
        {
            if (response.Headers.TryGetValues(header, out var values))
            {
                foreach (string v in values)
                {
                    string tag = v.Trim();
                    if (tag.StartsWith("W/", StringComparison.Ordinal))
                    {
                        tag = tag[2..];
                    }

                    tag = tag.Trim('"');
                    if (tag.Length == 64 && tag.All(Uri.IsHexDigit))
                    {
                        return tag;
                    }
                }
            }
        }

        return null;
    }
}
