using System.Diagnostics;
using SemanticRouter.Bench.Measurement;
using SemanticRouter.Embeddings;
using SemanticRouter.Tests;

namespace SemanticRouter.Bench.Startup;

/// <summary>
/// <c>ortcache</c>: creating the encoder's session with the optimised-model cache off (the model
/// optimised as loaded: the baseline) and from a cache hit, in alternating order, <c>--rounds</c>
/// times: median (range) of wall and CPU milliseconds.
/// </summary>
internal static class OptimizedModelCacheBench
{
    public static int Run(string[] args)
    {
        int rounds = Math.Max(3, BenchArgs.Int(args, "--rounds", 10));
        string cache = Directory.CreateTempSubdirectory("sr-ortcache-").FullName;
        try
        {
            var model = ModelFolder.Open(SharedPaths.MiniLmModel);
            _ = model.Fingerprint;
            using (var first = new SentenceEncoder(model, new SentenceEncoderOptions { OptimizedModelCacheDirectory = cache }))
            {
                Console.WriteLine($"first start: {first.CacheUse}, {first.SessionCreationTime.TotalMilliseconds:F0} ms");
            }

            var off = new List<(double Wall, double Cpu)>();
            var hit = new List<(double Wall, double Cpu)>();
            for (int r = 0; r < rounds; r++)
            {
                foreach (bool useCache in r % 2 == 0 ? new[] { false, true } : [true, false])
                {
                    var cpu0 = Environment.CpuUsage.TotalTime;
                    long t0 = Stopwatch.GetTimestamp();
                    using var encoder = new SentenceEncoder(model, new SentenceEncoderOptions { OptimizedModelCacheDirectory = cache, UseOptimizedModelCache = useCache });
                    var sample = (Stopwatch.GetElapsedTime(t0).TotalMilliseconds, (Environment.CpuUsage.TotalTime - cpu0).TotalMilliseconds);
                    (useCache ? hit : off).Add(sample);
                }
            }

            Console.WriteLine(BenchMachine.Banner());
            Console.WriteLine($"session, cache off (optimised as loaded): wall ms {Spread.Of(off.Select(x => x.Wall)).Format("F0")}, CPU ms {Spread.Of(off.Select(x => x.Cpu)).Format("F0")}");
            Console.WriteLine($"session, cache hit:                       wall ms {Spread.Of(hit.Select(x => x.Wall)).Format("F0")}, CPU ms {Spread.Of(hit.Select(x => x.Cpu)).Format("F0")}");
            Console.WriteLine($"ratio hit / off, CPU: {Spread.Of(hit.Zip(off, (h, o) => h.Cpu / o.Cpu)).Format("F2")}; wall: {Spread.Of(hit.Zip(off, (h, o) => h.Wall / o.Wall)).Format("F2")}");
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }

        return 0;
    }
}
