using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Startup;
using SemanticRouter.Tests;

namespace SemanticRouter.Bench.Startup;

/// <summary>
/// <c>load-phases</c>: <see cref="RouterStartup.Load"/> in this (fresh) process, then again warm,
/// printing <see cref="StartupTimings"/> and the CPU each took: where a start's time goes, and how
/// much of it is the JIT's (cold minus warm). Without <c>--index</c>, a synthetic index of
/// <c>--n</c> utterances is created first (and kept with <c>--out DIR</c>, for later runs).
/// </summary>
internal static class LoadPhasesProbe
{
    public static int Run(string[] args)
    {
        int outAt = Array.IndexOf(args, "--out");
        int indexAt = Array.IndexOf(args, "--index");
        string work = outAt >= 0 ? Directory.CreateDirectory(args[outAt + 1]).FullName : Directory.CreateTempSubdirectory("sr-phases-").FullName;
        try
        {
            var model = ModelFolder.Open(SharedPaths.MiniLmModel);
            string index = indexAt >= 0
                ? args[indexAt + 1]
                : SyntheticArtifact.Create(work, BenchArgs.Int(args, "--n", 100_000), model, EncoderBench.LoadQueries(Path.Combine(SharedPaths.Root, "datasets", "clinc150", "data_full.json"), 4500), Console.WriteLine);
            _ = model.Fingerprint;
            foreach (string pass in new[] { "cold", "warm", "warm" })
            {
                var cpu = Environment.CpuUsage.TotalTime;
                var loaded = RouterStartup.Load(index, model);
                double ms = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
                loaded.Encoder.Dispose();
                Console.WriteLine($"{pass}: CPU {ms:F0} ms; load average {File.ReadAllText("/proc/loadavg")[..5]}");
                foreach (string line in loaded.Timings.Describe())
                {
                    Console.WriteLine($"  {line}");
                }
            }
        }
        finally
        {
            if (outAt < 0)
            {
                Directory.Delete(work, true);
            }
        }

        return 0;
    }
}
