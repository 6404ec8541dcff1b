using SemanticRouter.Embeddings;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Embeddings;

public sealed class ModelFolderTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("sr-modelfolder-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Open_SharedModel_ReadsConfiguration()
    {
        var folder = ModelFolder.Open(SharedPaths.MiniLmModel);
        Assert.Equal("all-MiniLM-L6-v2", folder.Name);
        Assert.Equal(384, folder.Dimensions);
        Assert.Equal(256, folder.MaxSequenceLength);
        Assert.Equal(PoolingMode.Mean, folder.Pooling);
        Assert.True(folder.DoLowerCase);
        Assert.Equal("last_hidden_state", folder.OutputName);
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], folder.InputNames);
    }

    [Fact]
    public void Fingerprint_IsSha256OfModelFile()
    {
        string dir = CopyModel(link: false, smallModel: true);
        var folder = ModelFolder.Open(dir);
        string expected = ModelFolder.ComputeSha256(Path.Combine(dir, "model.onnx"));
        Assert.Equal(expected, folder.Fingerprint);
        Assert.Equal(64, folder.Fingerprint.Length);
        Assert.Equal(expected, ModelFolder.Open(dir).Fingerprint); // from the sidecar cache
    }

    [Theory]
    [InlineData("model.onnx")]
    [InlineData("vocab.txt")]
    [InlineData("tokenizer_config.json")]
    public void Open_MissingFile_NamesIt(string file)
    {
        string dir = CopyModel(link: true);
        File.Delete(Path.Combine(dir, file));
        var e = Assert.Throws<ModelFolderException>(() => ModelFolder.Open(dir));
        Assert.EndsWith(file, e.FilePath);
        Assert.Contains("not found", e.Message);
    }

    [Theory]
    [InlineData("tokenizer_config.json")]
    [InlineData("sentence_bert_config.json")]
    [InlineData("1_Pooling/config.json")]
    public void Open_BadJson_NamesFileAndLine(string file)
    {
        string dir = CopyModel(link: true);
        Replace(Path.Combine(dir, file), "{\n  \"max_seq_length\": 256,,\n"u8.ToArray());
        var e = Assert.Throws<ModelFolderException>(() => ModelFolder.Open(dir));
        Assert.EndsWith(file.Replace('/', Path.DirectorySeparatorChar), e.FilePath);
        Assert.Contains("bad JSON", e.Message);
    }

    [Fact]
    public void Open_NotAnOnnxFile_IsRefused()
    {
        string dir = CopyModel(link: true);
        Replace(Path.Combine(dir, "model.onnx"), "this is not a model"u8.ToArray());
        var e = Assert.Throws<ModelFolderException>(() => ModelFolder.Open(dir));
        Assert.EndsWith("model.onnx", e.FilePath);
    }

    [Fact]
    public void Open_ModelWithoutHiddenStateOutput_IsRefused()
    {
        string dir = CopyModel(link: true);
        Replace(Path.Combine(dir, "model.onnx"), TinyOnnx.WithOutput("logits", rank: 2));
        var e = Assert.Throws<ModelFolderException>(() => ModelFolder.Open(dir));
        Assert.Contains("last_hidden_state", e.Message);
    }

    [Fact]
    public void Open_DimensionMismatch_IsRefused()
    {
        string dir = CopyModel(link: true);
        Replace(Path.Combine(dir, "1_Pooling/config.json"), "{\"word_embedding_dimension\": 768, \"pooling_mode_mean_tokens\": true}"u8.ToArray());
        var e = Assert.Throws<ModelFolderException>(() => ModelFolder.Open(dir));
        Assert.Contains("768", e.Message);
    }

    [Fact]
    public void Open_MissingFolder_IsRefused()
    {
        var e = Assert.Throws<ModelFolderException>(() => ModelFolder.Open(Path.Combine(_temp, "nope")));
        Assert.Contains("not found", e.Message);
    }

    /// <summary>Replaces a file in a test folder. Deletes first, so that a symbolic link to the shared
    /// model is removed rather than written through (which would overwrite the shared file).</summary>
    private static void Replace(string path, byte[] content)
    {
        File.Delete(path);
        File.WriteAllBytes(path, content);
    }

    /// <summary>Copies the shared model's small files; model.onnx is symlinked (or a tiny valid ONNX stand-in).</summary>
    private string CopyModel(bool link, bool smallModel = false)
    {
        string dir = Path.Combine(_temp, "m" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(Path.Combine(dir, "1_Pooling"));
        foreach (string f in new[] { "vocab.txt", "tokenizer_config.json", "tokenizer.json", "sentence_bert_config.json", "config.json", "1_Pooling/config.json" })
        {
            File.Copy(Path.Combine(SharedPaths.MiniLmModel, f), Path.Combine(dir, f));
        }

        string model = Path.Combine(dir, "model.onnx");
        if (smallModel)
        {
            File.WriteAllBytes(model, TinyOnnx.WithOutput("last_hidden_state", rank: 3));
        }
        else if (link)
        {
            File.CreateSymbolicLink(model, Path.Combine(SharedPaths.MiniLmModel, "model.onnx"));
        }

        return dir;
    }
}

/// <summary>Hand-encoded minimal ONNX protobufs (graph inputs/outputs only) for folder validation tests.</summary>
internal static class TinyOnnx
{
    public static byte[] WithOutput(string outputName, int rank)
    {
        byte[] graph = [
            .. Field(11, ValueInfo("input_ids", 7, 2, 0)),
            .. Field(11, ValueInfo("attention_mask", 7, 2, 0)),
            .. Field(12, ValueInfo(outputName, 1, rank, 384)),
        ];
        return [.. Varint(1 << 3), .. Varint(8), .. Field(7, graph)]; // ir_version 8, graph
    }

    private static byte[] ValueInfo(string name, int elemType, int rank, int lastDim)
    {
        var dims = new List<byte>();
        for (int i = 0; i < rank; i++)
        {
            byte[] dim = i == rank - 1 && lastDim > 0 ? [.. Varint(1 << 3), .. Varint(lastDim)] : Field(2, "n"u8.ToArray());
            dims.AddRange(Field(1, dim));
        }

        byte[] tensor = [.. Varint(1 << 3), .. Varint(elemType), .. Field(2, [.. dims])];
        byte[] type = Field(1, tensor);
        return [.. Field(1, System.Text.Encoding.UTF8.GetBytes(name)), .. Field(2, type)];
    }

    private static byte[] Field(int number, byte[] payload) => [.. Varint((number << 3) | 2), .. Varint(payload.Length), .. payload];

    private static byte[] Varint(long value)
    {
        var bytes = new List<byte>();
        ulong v = (ulong)value;
        do
        {
            byte b = (byte)(v & 0x7F);
            v >>= 7;
            bytes.Add(v != 0 ? (byte)(b | 0x80) : b);
        }
        while (v != 0);
        return [.. bytes];
    }
}
