using System.Globalization;
using System.Reflection;

namespace SemanticRouter.Embeddings;

/// <summary>
/// The per-code-point behaviour of the reference tokenizer's BERT normaliser and pre-tokeniser
/// (Hugging Face <c>tokenizers</c>: BertNormalizer + BertPreTokenizer), loaded from the generated
/// table <c>BertUnicode.tsv</c> (tools/bert-unicode/generate.js probes the reference one code
/// point at a time).
/// </summary>
/// <remarks>
/// Why a table and not <see cref="string.Normalize(System.Text.NormalizationForm)"/> and
/// <see cref="CharUnicodeInfo"/>: (1) under InvariantGlobalization (set for this repository)
/// .NET's Normalize is a no-op for non-ASCII text, so accents would never be stripped;
/// (2) with ICU it depends on the machine's ICU version; (3) the reference uses its own Unicode
/// tables (Rust std for whitespace and lower-casing, the <c>unicode_categories</c> crate for
/// control/format/punctuation/non-spacing marks), which differ from .NET's for some code points.
/// A table probed from the reference is exact and the same on every machine.
/// </remarks>
internal static class BertUnicode
{
    internal enum Kind : byte { Member, Drop, Space, Hangul, Delta, Map }

    internal readonly record struct Entry(int First, int Last, Kind Kind, int Delta, int[]? Map);

    internal sealed class Table(Entry[] entries)
    {
        private readonly Entry[] _entries = entries;
        private readonly int[] _firsts = Array.ConvertAll(entries, e => e.First);

        public int Count => _entries.Length;

        public bool TryGet(int cp, out Entry entry)
        {
            int i = Array.BinarySearch(_firsts, cp);
            if (i < 0)
            {
                i = ~i - 1;
            }

            if (i >= 0 && cp <= _entries[i].Last)
            {
                entry = _entries[i];
                return true;
            }

            entry = default;
            return false;
        }

        public bool Contains(int cp) => TryGet(cp, out _);
    }

    /// <summary>clean_text: control/format/private-use characters dropped, whitespace turned into ' '.</summary>
    internal static readonly Table Clean;
    /// <summary>strip_accents: NFD, then non-spacing marks (Mn) dropped.</summary>
    internal static readonly Table Strip;
    /// <summary>lowercase: Unicode lower-casing, one character at a time (no context such as final sigma).</summary>
    internal static readonly Table Lower;
    /// <summary>handle_chinese_chars: the CJK ideograph blocks that get a space on each side.</summary>
    internal static readonly Table Cjk;
    /// <summary>BertPreTokenizer: isolated punctuation (ASCII punctuation plus Unicode P*).</summary>
    internal static readonly Table Punct;
    /// <summary>BertPreTokenizer: whitespace it splits on.</summary>
    internal static readonly Table Whitespace;

#pragma warning disable CA1810 // one pass over one resource fills every table
    static BertUnicode()
#pragma warning restore CA1810
    {
        var sections = new Dictionary<string, List<Entry>>(StringComparer.Ordinal);
        using var stream = typeof(BertUnicode).Assembly.GetManifestResourceStream("SemanticRouter.Embeddings.BertUnicode.tsv")
            ?? throw new InvalidOperationException("embedded resource BertUnicode.tsv is missing");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] parts = line.Split('\t');
            string range = parts[1];
            int dots = range.IndexOf("..", StringComparison.Ordinal);
            int first = int.Parse(dots < 0 ? range : range[..dots], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            int last = dots < 0 ? first : int.Parse(range[(dots + 2)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Entry entry = parts.Length < 3 ? new Entry(first, last, Kind.Member, 0, null) : parts[2] switch
            {
                "drop" => new Entry(first, last, Kind.Drop, 0, null),
                "space" => new Entry(first, last, Kind.Space, 0, null),
                "hangul" => new Entry(first, last, Kind.Hangul, 0, null),
                var a when a[0] is '+' or '-' => new Entry(first, last, Kind.Delta, int.Parse(a, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), null),
                var a => new Entry(first, last, Kind.Map, 0, Array.ConvertAll(a.Split(' '), h => int.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))),
            };
            if (!sections.TryGetValue(parts[0], out var list))
            {
                sections[parts[0]] = list = [];
            }

            list.Add(entry);
        }

        Table Get(string name) => new(sections.TryGetValue(name, out var l) ? [.. l] : throw new InvalidOperationException($"BertUnicode.tsv has no '{name}' section"));
        Clean = Get("clean");
        Strip = Get("strip");
        Lower = Get("lower");
        Cjk = Get("cjk");
        Punct = Get("punct");
        Whitespace = Get("space");
    }

    /// <summary>Makes sure the tables are loaded (and the resource is readable) now rather than on first use.</summary>
    internal static int Touch() => Clean.Count + Strip.Count + Lower.Count + Cjk.Count + Punct.Count + Whitespace.Count;
}
