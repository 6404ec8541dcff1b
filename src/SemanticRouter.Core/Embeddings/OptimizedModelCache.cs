using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace SemanticRouter.Embeddings;

/// <summary>What a <see cref="SentenceEncoder"/>'s session was created from.</summary>
public enum OptimizedModelCacheUse
{
    /// <summary>The cache was off (or the optimisation level too low to gain from it): the model was optimised as loaded.</summary>
    Off,

    /// <summary>ONNX Runtime's optimised graph was loaded from the cache, skipping graph optimisation.</summary>
    Hit,

    /// <summary>Not cached yet: the model was optimised and the result written to the cache for the next start.</summary>
    Written,

    /// <summary>The cache could not be used (unwritable directory, unreadable entry): the model was optimised as loaded.</summary>
    Unavailable,
}

/// <summary>
/// ONNX Runtime's optimised graph of a model, saved on the first start and loaded (with graph
/// optimisation off) on later ones: session creation then skips the graph transformers.
/// </summary>
/// <remarks>
/// <para>An entry is keyed by everything its content depends on: the model file's sha256, the ONNX
/// Runtime version, the optimisation level and this CPU's feature flags (at the highest level ONNX
/// Runtime may write hardware-specific layouts). It lives in the user's cache directory
/// (<see cref="UserCacheDirectory"/>), never beside the model, and is written to a temporary file
/// and renamed into place, so a reader never sees half an entry. An entry that ONNX Runtime cannot
/// load is deleted and the model optimised again.</para>
/// <para>Measured gain: docs/encoder.md#start-up (about a sixth of session creation's CPU time for
/// all-MiniLM-L6-v2).</para>
/// </remarks>
internal static class OptimizedModelCache
{
    /// <summary>Bump when the way entries are written changes.</summary>
    private const string Layout = "v1";

    private static readonly Lazy<string> CpuSignature = new(ReadCpuSignature);

    /// <summary>The default directory: (user cache)/onnx-optimized.</summary>
    public static string DefaultDirectory => Path.Combine(UserCacheDirectory.Root, "onnx-optimized");

    /// <summary>The entry for <paramref name="model"/> at <paramref name="level"/> under <paramref name="directory"/>.</summary>
    public static string PathFor(string directory, ModelFolder model, GraphOptimizationLevel level)
    {
        string key = $"{Layout}|{model.Fingerprint}|{OrtEnv.Instance().GetVersionString()}|{level}|{RuntimeInformation.ProcessArchitecture}|{CpuSignature.Value}";
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];
        return Path.Combine(directory, $"{model.Name}-{hash}.onnx");
    }

    /// <summary>
    /// A session for <paramref name="model"/>: from the cache when an entry exists, else optimised
    /// from the model file (and the result cached). <paramref name="options"/> makes the session
    /// options for an optimisation level; it is called once or twice.
    /// </summary>
    public static InferenceSession Create(ModelFolder model, Func<GraphOptimizationLevel, SessionOptions> options, GraphOptimizationLevel level, string? directory, out OptimizedModelCacheUse use)
    {
        if (directory is null || level < GraphOptimizationLevel.ORT_ENABLE_EXTENDED)
        {
            use = OptimizedModelCacheUse.Off;
            return Plain(model, options, level);
        }

        string path;
        try
        {
            path = PathFor(directory, model, level);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            use = OptimizedModelCacheUse.Unavailable;
            return Plain(model, options, level);
        }

        if (File.Exists(path))
        {
            try
            {
                using var cached = options(GraphOptimizationLevel.ORT_DISABLE_ALL);
                use = OptimizedModelCacheUse.Hit;
                return new InferenceSession(path, cached);
            }
            catch (OnnxRuntimeException)
            {
                TryDelete(path); // unreadable entry: optimise again and rewrite it
            }
        }

        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        InferenceSession session;
        try
        {
            Directory.CreateDirectory(directory);
            using var writing = options(level);
            writing.OptimizedModelFilePath = temp;
            // At the highest level ONNX Runtime warns that the saved graph may be hardware-specific;
            // the key holds this CPU's flags, so the warning says nothing the cache does not handle.
            writing.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
            session = new InferenceSession(model.ModelPath, writing);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OnnxRuntimeException)
        {
            // Unwritable cache (or a model ONNX Runtime refuses: then the plain load throws that error).
            TryDelete(temp);
            use = OptimizedModelCacheUse.Unavailable;
            return Plain(model, options, level);
        }

        try
        {
            File.Move(temp, path, overwrite: false);
            use = OptimizedModelCacheUse.Written;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another process may have written the same entry first; theirs is as good.
            use = File.Exists(path) ? OptimizedModelCacheUse.Written : OptimizedModelCacheUse.Unavailable;
        }
        finally
        {
            TryDelete(temp);
        }

        return session;
    }

    private static InferenceSession Plain(ModelFolder model, Func<GraphOptimizationLevel, SessionOptions> options, GraphOptimizationLevel level)
    {
        using var plain = options(level);
        return new InferenceSession(model.ModelPath, plain);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>This CPU's feature flags: /proc/cpuinfo's flags line on Linux, else the instruction sets .NET reports.</summary>
    private static string ReadCpuSignature()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                string? flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal) || l.StartsWith("Features", StringComparison.Ordinal));
                if (flags is not null)
                {
                    return flags;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return string.Join(',',
            System.Runtime.Intrinsics.X86.Avx2.IsSupported, System.Runtime.Intrinsics.X86.Fma.IsSupported,
            System.Runtime.Intrinsics.X86.Avx512F.IsSupported, System.Runtime.Intrinsics.X86.Avx512BW.IsSupported,
            System.Runtime.Intrinsics.X86.AvxVnni.IsSupported, System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported,
            System.Runtime.Intrinsics.Arm.Dp.IsSupported);
    }
}
