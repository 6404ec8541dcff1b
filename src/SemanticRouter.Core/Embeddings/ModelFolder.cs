using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace SemanticRouter.Embeddings;

/// <summary>How token vectors become one sentence vector (1_Pooling/config.json).</summary>
public enum PoolingMode
{
    /// <summary>Mean of the token vectors under the attention mask (pooling_mode_mean_tokens).</summary>
    Mean = 0,
    /// <summary>The [CLS] token's vector (pooling_mode_cls_token).</summary>
    Cls = 1,
    /// <summary>Element-wise maximum under the attention mask (pooling_mode_max_tokens).</summary>
    Max = 2,
}

/// <summary>A model folder that is missing a file or holds a bad one; <see cref="FilePath"/> names it.</summary>
public sealed class ModelFolderException : Exception
{
    public ModelFolderException(string filePath, string problem, Exception? inner = null)
        : base($"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        Problem = problem;
    }

    public ModelFolderException()
    {
        FilePath = "";
        Problem = "";
    }

    public ModelFolderException(string message)
        : base(message)
    {
        FilePath = "";
        Problem = message;
    }

    public ModelFolderException(string message, Exception inner)
        : base(message, inner)
    {
        FilePath = "";
        Problem = message;
    }

    public string FilePath { get; }

    public string Problem { get; }
}

/// <summary>
/// A self-describing sentence-model folder (the sentence-transformers layout with the ONNX file at
/// the root): <c>model.onnx</c>, <c>vocab.txt</c>, <c>tokenizer_config.json</c>, and optionally
/// <c>tokenizer.json</c> (added tokens), <c>sentence_bert_config.json</c> (max length),
/// <c>1_Pooling/config.json</c> (pooling, dimensions) and <c>config.json</c>.
/// </summary>
/// <remarks>
/// <see cref="Open"/> checks everything a session would trip over later — files present, JSON
/// well-formed, the ONNX graph declaring int64 <c>input_ids</c>/<c>attention_mask</c> and a 3-D
/// float output — and names the file and the problem when something is wrong. The fingerprint
/// (sha256 of model.onnx) is computed on first use and cached in the user's cache directory, keyed
/// by path, size and modification time.
/// </remarks>
public sealed class ModelFolder
{
    public const string ModelFileName = "model.onnx";
    public const string VocabFileName = "vocab.txt";
    public const string TokenizerConfigFileName = "tokenizer_config.json";
    public const string TokenizerFileName = "tokenizer.json";
    public const string SentenceBertConfigFileName = "sentence_bert_config.json";
    public const string PoolingConfigFileName = "1_Pooling/config.json";
    public const string ConfigFileName = "config.json";

    private static readonly string[] OutputNamePreference = ["last_hidden_state", "token_embeddings"];

    private readonly Lazy<string> _fingerprint;

    private ModelFolder(string directory, string modelPath)
    {
        Directory = directory;
        ModelPath = modelPath;
        Name = Path.GetFileName(directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        _fingerprint = new Lazy<string>(ComputeFingerprint, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Absolute path of the folder.</summary>
    public string Directory { get; }

    /// <summary>Absolute path of the ONNX file.</summary>
    public string ModelPath { get; }

    /// <summary>The folder's name, used as the model id (e.g. all-MiniLM-L6-v2).</summary>
    public string Name { get; }

    /// <summary>Path of vocab.txt.</summary>
    public string VocabPath => Path.Combine(Directory, VocabFileName);

    /// <summary>Lower-case hex sha256 of the ONNX file; index artefacts record it.</summary>
    public string Fingerprint => _fingerprint.Value;

    /// <summary>Length of a sentence vector.</summary>
    public int Dimensions { get; private init; }

    /// <summary>Maximum tokens per text, [CLS] and [SEP] included; longer texts are truncated.</summary>
    public int MaxSequenceLength { get; private init; }

    public PoolingMode Pooling { get; private init; }

    public bool DoLowerCase { get; private init; }

    /// <summary>Tokenizer settings read from the folder.</summary>
    public BertTokenizerSettings TokenizerSettings { get; private init; } = new();

    /// <summary>Graph input names the model declares, in order (a subset of input_ids, attention_mask, token_type_ids).</summary>
    public IReadOnlyList<string> InputNames { get; private init; } = [];

    /// <summary>The graph output holding the token vectors ([batch, sequence, dims]).</summary>
    public string OutputName { get; private init; } = "";

    /// <summary>Opens and validates a model folder; throws <see cref="ModelFolderException"/> naming the bad file.</summary>
    public static ModelFolder Open(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string dir = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(dir))
        {
            throw new ModelFolderException(dir, "no such folder");
        }

        string modelPath = Path.Combine(dir, ModelFileName);
        if (!File.Exists(modelPath) && File.Exists(Path.Combine(dir, "onnx", ModelFileName)))
        {
            modelPath = Path.Combine(dir, "onnx", ModelFileName);
        }

        Require(modelPath);
        string vocabPath = Require(Path.Combine(dir, VocabFileName));
        string tokenizerConfigPath = Require(Path.Combine(dir, TokenizerConfigFileName));

        EnsureVocabNotEmpty(vocabPath);

        using var tokenizerConfig = ReadJson(tokenizerConfigPath);
        var tc = tokenizerConfig.RootElement;
        bool lowerCase = GetBool(tc, "do_lower_case", tokenizerConfigPath) ?? true;
        bool? stripAccents = GetBool(tc, "strip_accents", tokenizerConfigPath);
        bool chinese = GetBool(tc, "tokenize_chinese_chars", tokenizerConfigPath) ?? true;
        int? modelMaxLength = GetInt(tc, "model_max_length", tokenizerConfigPath);

        int? sbertMax = null;
        string sbertPath = Path.Combine(dir, SentenceBertConfigFileName);
        if (File.Exists(sbertPath))
        {
            using var sbert = ReadJson(sbertPath);
            sbertMax = GetInt(sbert.RootElement, "max_seq_length", sbertPath);
        }

        int? maxPositions = null;
        string configPath = Path.Combine(dir, ConfigFileName);
        if (File.Exists(configPath))
        {
            using var config = ReadJson(configPath);
            maxPositions = GetInt(config.RootElement, "max_position_embeddings", configPath);
        }

        int maxLength = sbertMax ?? Math.Min(modelMaxLength is > 0 and < 1_000_000 ? modelMaxLength.Value : 512, maxPositions ?? 512);
        if (maxLength < 2 || maxPositions is { } mp && maxLength > mp)
        {
            throw new ModelFolderException(sbertMax is null ? tokenizerConfigPath : sbertPath, $"max sequence length {maxLength} is outside 2..{maxPositions ?? 512}");
        }

        PoolingMode pooling = PoolingMode.Mean;
        int? poolingDims = null;
        string poolingPath = Path.Combine(dir, PoolingConfigFileName);
        if (File.Exists(poolingPath))
        {
            using var pool = ReadJson(poolingPath);
            var p = pool.RootElement;
            poolingDims = GetInt(p, "word_embedding_dimension", poolingPath);
            if (GetBool(p, "pooling_mode_mean_tokens", poolingPath) == true)
            {
                pooling = PoolingMode.Mean;
            }
            else if (GetBool(p, "pooling_mode_cls_token", poolingPath) == true)
            {
                pooling = PoolingMode.Cls;
            }
            else if (GetBool(p, "pooling_mode_max_tokens", poolingPath) == true)
            {
                pooling = PoolingMode.Max;
            }
            else
            {
                throw new ModelFolderException(poolingPath, "no supported pooling mode (mean, cls or max tokens) is enabled");
            }
        }

        var added = new List<string>();
        string tokenizerJsonPath = Path.Combine(dir, TokenizerFileName);
        if (File.Exists(tokenizerJsonPath))
        {
            using var tj = ReadJson(tokenizerJsonPath);
            if (tj.RootElement.ValueKind == JsonValueKind.Object && tj.RootElement.TryGetProperty("added_tokens", out var at) && at.ValueKind == JsonValueKind.Array)
            {
                foreach (var t in at.EnumerateArray())
                {
                    if (t.ValueKind == JsonValueKind.Object && t.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                    {
                        added.Add(content.GetString()!);
                    }
                }
            }
        }

        var settings = new BertTokenizerSettings
        {
            LowerCase = lowerCase,
            StripAccents = stripAccents,
            TokenizeChineseChars = chinese,
            MaxLength = maxLength,
            UnknownToken = GetToken(tc, "unk_token", "[UNK]"),
            ClassificationToken = GetToken(tc, "cls_token", "[CLS]"),
            SeparatorToken = GetToken(tc, "sep_token", "[SEP]"),
            PaddingToken = GetToken(tc, "pad_token", "[PAD]"),
            MaskingToken = GetToken(tc, "mask_token", "[MASK]"),
            AddedTokens = added,
        };
        foreach (string special in new[] { settings.UnknownToken, settings.ClassificationToken, settings.SeparatorToken, settings.PaddingToken })
        {
            if (!VocabContains(vocabPath, special))
            {
                throw new ModelFolderException(vocabPath, $"special token {special} is not in the vocabulary");
            }
        }

        IReadOnlyList<OnnxTensorInfo> inputs, outputs;
        try
        {
            (inputs, outputs) = OnnxModelInfo.Read(modelPath);
        }
        catch (Exception e) when (e is InvalidDataException or OverflowException or IOException)
        {
            throw new ModelFolderException(modelPath, $"not a readable ONNX model ({e.Message})", e);
        }

        var inputNames = new List<string>();
        foreach (var input in inputs)
        {
            if (input.Name is not ("input_ids" or "attention_mask" or "token_type_ids"))
            {
                throw new ModelFolderException(modelPath, $"unsupported model input '{input.Name}' (expected input_ids, attention_mask, token_type_ids)");
            }

            if (input.ElementType != OnnxTensorInfo.Int64 || input.Shape.Length != 2)
            {
                throw new ModelFolderException(modelPath, $"model input '{input.Name}' must be int64 [batch, sequence]");
            }

            inputNames.Add(input.Name);
        }

        if (!inputNames.Contains("input_ids"))
        {
            throw new ModelFolderException(modelPath, "model has no 'input_ids' input");
        }

        OnnxTensorInfo? output = null;
        foreach (string preferred in OutputNamePreference)
        {
            output ??= outputs.FirstOrDefault(o => o.Name == preferred);
        }

        output ??= outputs.FirstOrDefault(o => o.ElementType == OnnxTensorInfo.Float && o.Shape.Length == 3);
        if (output is null || output.ElementType != OnnxTensorInfo.Float || output.Shape.Length != 3)
        {
            string have = string.Join(", ", outputs.Select(o => $"{o.Name} [{string.Join(",", o.Shape)}]"));
            throw new ModelFolderException(modelPath, $"model has no last_hidden_state-like output (3-D float [batch, sequence, dims]); outputs: {(have.Length == 0 ? "none" : have)}");
        }

        long modelDims = output.Shape[2];
        int dims = modelDims > 0 ? (int)modelDims : poolingDims ?? throw new ModelFolderException(modelPath, $"output '{output.Name}' has a symbolic last dimension and {PoolingConfigFileName} gives no word_embedding_dimension");
        if (poolingDims is { } pd && pd != dims)
        {
            throw new ModelFolderException(poolingPath, $"word_embedding_dimension {pd} does not match the model's output '{output.Name}' ({dims})");
        }

        if (dims <= 0 || dims > 65536)
        {
            throw new ModelFolderException(modelPath, $"bad embedding dimension {dims}");
        }

        return new ModelFolder(dir, modelPath)
        {
            Dimensions = dims,
            MaxSequenceLength = maxLength,
            Pooling = pooling,
            DoLowerCase = lowerCase,
            TokenizerSettings = settings,
            InputNames = inputNames,
            OutputName = output.Name,
        };
    }

    public override string ToString() => $"{Name} ({Dimensions} dims, max {MaxSequenceLength} tokens, {Pooling} pooling)";

    private string ComputeFingerprint()
    {
        var info = new FileInfo(ModelPath);
        string stamp = string.Create(CultureInfo.InvariantCulture, $"{info.Length} {info.LastWriteTimeUtc.Ticks}");
        string cachePath = FingerprintCachePath(ModelPath);
        try
        {
            if (File.Exists(cachePath))
            {
                string[] cached = File.ReadAllText(cachePath).Trim().Split(' ');
                if (cached.Length == 3 && $"{cached[0]} {cached[1]}" == stamp && cached[2].Length == 64)
                {
                    return cached[2];
                }
            }
        }
        catch (IOException)
        {
            // an unreadable cache is recomputed
        }
        catch (UnauthorizedAccessException)
        {
        }

        string sha = ComputeSha256(ModelPath);
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(cachePath)!);
            File.WriteAllText(cachePath, $"{stamp} {sha}\n");
        }
        catch (IOException)
        {
            // read-only folder: keep the value in memory only
        }
        catch (UnauthorizedAccessException)
        {
        }

        return sha;
    }

    /// <summary>
    /// Where the fingerprint of a model file is cached: the user's cache directory
    /// ($XDG_CACHE_HOME or ~/.cache)/semantic-router/fingerprints, one small file per model path,
    /// holding "size mtime-ticks sha256". Never beside the model: model folders may be shared or
    /// read-only (and root ignores read-only bits).
    /// </summary>
    internal static string FingerprintCachePath(string modelPath)
    {
        string key = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(modelPath))))[..32];
        return Path.Combine(UserCacheDirectory.Root, "fingerprints", key);
    }

    /// <summary>Lower-case hex sha256 of a file.</summary>
    public static string ComputeSha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string Require(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelFolderException(path, "file not found");
        }

        return path;
    }

    private static JsonDocument ReadJson(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var doc = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                throw new ModelFolderException(path, "expected a JSON object");
            }

            return doc;
        }
        catch (JsonException e)
        {
            throw new ModelFolderException(path, $"bad JSON at line {(e.LineNumber ?? 0) + 1}: {e.Message}", e);
        }
    }

    private static bool? GetBool(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelFolderException(path, $"'{name}' must be true, false or null"),
        };
    }

    private static int? GetInt(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number)
        {
            if (v.TryGetInt32(out int i))
            {
                return i;
            }

            if (v.TryGetDouble(out double d))
            {
                return d >= int.MaxValue ? int.MaxValue : (int)d; // model_max_length is often 1e30 ("no limit")
            }
        }

        throw new ModelFolderException(path, $"'{name}' must be an integer");
    }

    private static string GetToken(JsonElement obj, string name, string fallback)
    {
        if (!obj.TryGetProperty(name, out var v))
        {
            return fallback;
        }

        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Object when v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String => c.GetString()!,
            _ => fallback,
        };
    }

    private static void EnsureVocabNotEmpty(string vocabPath)
    {
        if (!File.ReadLines(vocabPath).Any(line => line.Length > 0))
        {
            throw new ModelFolderException(vocabPath, "vocabulary is empty");
        }
    }

    private static bool VocabContains(string vocabPath, string token)
    {
        foreach (string line in File.ReadLines(vocabPath))
        {
            if (line == token)
            {
                return true;
            }
        }

        return false;
    }
}
