using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SemanticRouter.Tests;

namespace SemanticRouter.Bench.Index;

/// <summary>
/// The hnswlib the <c>hnsw</c> bench compares against: hnswlib 0.8.0 compiled on this machine from
/// the source distribution in ../shared/wheels (its setup adds <c>-O3 -march=native</c>, so it uses
/// the AVX2/AVX-512 this CPU has), in a venv the bench creates once and reuses. A distribution's
/// package (Debian's python3-hnswlib 0.6.2 is built for baseline SSE) would flatter us.
/// </summary>
/// <remarks>
/// The venv lives in the user's cache directory, keyed by the CPU's feature flags: a binary built
/// with <c>-march=native</c> on another CPU could use instructions this one lacks. The pip log of
/// the build is kept beside it, so that a later run can still report the compile command actually
/// used.
/// </remarks>
internal sealed record NativeHnswlib(string Python, string Origin, string? CompileCommand, string? Compiler, int? Avx512Instructions, int? Avx2Instructions)
{
    private const string BuildLog = "semantic-router-build.log";

    /// <summary>Facts for the JSON report (the version itself comes from the worker, i.e. from the installed package).</summary>
    public JsonObject Describe() => new()
    {
        ["python"] = Python,
        ["origin"] = Origin,
        ["compileCommand"] = CompileCommand,
        ["compiler"] = Compiler,
        ["zmmInstructions"] = Avx512Instructions,
        ["ymmInstructions"] = Avx2Instructions,
    };

    /// <summary>An interpreter the user named (<c>--python</c>): used as is; its build flags are unknown.</summary>
    public static NativeHnswlib FromInterpreter(string python) =>
        new(python, "given with --python (not built by the bench; flags unknown)", null, null, null, null);

    /// <summary>Finds the cached native build for this CPU, or creates it (about a minute on 2 cores).</summary>
    public static NativeHnswlib FindOrBuild(string? venvDirectory, Action<string> log)
    {
        string wheels = SharedPaths.Require(Path.Combine(SharedPaths.Root, "wheels"));
        string venv = venvDirectory ?? DefaultVenv();
        string python = Path.Combine(venv, "bin", "python");
        string buildLog = Path.Combine(venv, BuildLog);
        string origin;
        if (File.Exists(python) && File.Exists(buildLog) && Run(python, ["-c", "import hnswlib, numpy"], out _) == 0)
        {
            origin = $"venv {venv} (built earlier by this bench from {wheels})";
        }
        else
        {
            log($"building hnswlib 0.8.0 natively into {venv} from {wheels} (pip install --no-index; about a minute)...");
            if (Directory.Exists(venv))
            {
                Directory.Delete(venv, recursive: true);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(venv)!);
            string basePython = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
            Check(Run(basePython, ["-m", "venv", venv], out string venvOut) == 0, $"{basePython} -m venv failed: {venvOut}");
            // --no-cache-dir: pip's wheel cache is keyed by the source archive, not the CPU, so it could
            // hand back a wheel compiled elsewhere; this way the compiler always runs here.
            int code = Run(Path.Combine(venv, "bin", "pip"), ["install", "-v", "--no-cache-dir", "--no-index", "--find-links", wheels, "numpy", "hnswlib==0.8.0"], out string pipOut);
            File.WriteAllText(buildLog, pipOut);
            Check(code == 0, $"pip install of hnswlib failed (log: {buildLog})");
            origin = $"venv {venv}, built now from {wheels}";
        }

        string? command = File.ReadLines(buildLog).Select(l => l.Trim()).FirstOrDefault(l => l.Contains("bindings.cpp", StringComparison.Ordinal) && l.Contains(" -c ", StringComparison.Ordinal));
        string? compiler = Run("g++", ["--version"], out string gpp) == 0 ? gpp.Split('\n')[0].Trim() : null;
        (int? zmm, int? ymm) = CountVectorInstructions(venv);
        return new NativeHnswlib(python, origin, command is null ? null : WithoutIncludes(command), compiler, zmm, ymm);
    }

    /// <summary>~/.cache/semantic-router/bench/hnswlib-0.8.0-native-&lt;hash of this CPU's flags&gt;.</summary>
    private static string DefaultVenv()
    {
        string flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "unknown";
        string cpu = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(flags)))[..12];
        string cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "semantic-router", "bench", $"hnswlib-0.8.0-native-{cpu}");
    }

    /// <summary>Lines of the compiled extension's disassembly that use zmm (AVX-512) and ymm (AVX) registers; null without objdump.</summary>
    private static (int? Zmm, int? Ymm) CountVectorInstructions(string venv)
    {
        string? so = Directory.EnumerateFiles(venv, "hnswlib*.so", SearchOption.AllDirectories).FirstOrDefault();
        if (so is null || Run("objdump", ["-d", "--no-show-raw-insn", so], out string asm) != 0)
        {
            return (null, null);
        }

        int zmm = 0, ymm = 0;
        foreach (string line in asm.Split('\n'))
        {
            zmm += line.Contains("%zmm", StringComparison.Ordinal) ? 1 : 0;
            ymm += line.Contains("%ymm", StringComparison.Ordinal) ? 1 : 0;
        }

        return (zmm, ymm);
    }

    /// <summary>The compile command without its -I paths (they name temporary build directories).</summary>
    private static string WithoutIncludes(string command) =>
        string.Join(' ', command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith("-I", StringComparison.Ordinal)));

    private static void Check(bool ok, string message)
    {
        if (!ok)
        {
            throw new InvalidOperationException(message);
        }
    }

    private static int Run(string program, string[] args, out string output)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            using var process = Process.Start(start)!;
            Task<string> err = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            output = stdout + err.Result;
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            output = e.Message;
            return -1;
        }
    }
}
