using System.Globalization;

namespace SemanticRouter.Bench.Index;

/// <summary>Command-line options of the <c>hnsw</c> benchmark (see bench/README.md).</summary>
internal sealed class HnswBenchOptions
{
    public string? VectorsFile { get; private set; }

    /// <summary>Index artefacts whose stored vectors form the real data set (e.g. CLINC150 and BANKING77 imports).</summary>
    public List<string> Indexes { get; } = [];

    public int Dims { get; private set; } = 384;

    public bool Full { get; private set; }

    public int SyntheticCount { get; private set; } = 100_000;

    public int Queries { get; private set; } = 1000;

    public int Build1 { get; private set; } = 20_000;

    public int K { get; private set; } = 10;

    public int M { get; private set; } = 16;

    public int EfConstruction { get; private set; } = 200;

    public int[] Efs { get; private set; } = [10, 15, 20, 30, 40, 60, 80, 120, 160];

    /// <summary>Rounds of the interleaved comparison (at least 3): each measure is taken this often on both sides.</summary>
    public int Rounds { get; private set; } = 3;

    public int Threads { get; private set; } = Environment.ProcessorCount;

    /// <summary>An interpreter with hnswlib to use as is (its build flags are then unknown); null = the native build the bench makes.</summary>
    public string? Python { get; private set; }

    /// <summary>Where the native hnswlib venv lives; null = the user's cache directory (see <see cref="NativeHnswlib"/>).</summary>
    public string? HnswlibVenv { get; private set; }

    public bool SkipSynthetic { get; private set; }

    public static HnswBenchOptions Parse(string[] args)
    {
        var o = new HnswBenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--vectors": o.VectorsFile = Next(); break;
                case "--index": o.Indexes.Add(Next()); break;
                case "--dims": o.Dims = NextInt(); break;
                case "--full": o.Full = true; break;
                case "--n": o.SyntheticCount = NextInt(); break;
                case "--no-synthetic": o.SkipSynthetic = true; break;
                case "--queries": o.Queries = NextInt(); break;
                case "--build1": o.Build1 = NextInt(); break;
                case "--k": o.K = NextInt(); break;
                case "--m": o.M = NextInt(); break;
                case "--ef-construction": o.EfConstruction = NextInt(); break;
                case "--efs": o.Efs = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--threads": o.Threads = NextInt(); break;
                case "--python": o.Python = Next(); break;
                case "--hnswlib-venv": o.HnswlibVenv = Next(); break;
                case "--rounds": o.Rounds = NextInt(); break;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }

        if (o.Rounds < 3)
        {
            throw new ArgumentException("--rounds must be at least 3: one run of a measure tells nothing of its spread.");
        }

        if (o.Indexes.Count > 0)
        {
            o.VectorsFile = ArtifactVectors.Export(o.Indexes);
        }

        return o;
    }
}
