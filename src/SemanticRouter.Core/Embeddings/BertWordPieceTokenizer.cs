using System.Buffers;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace SemanticRouter.Embeddings;

/// <summary>
/// BERT WordPiece tokenisation with the same ids as the reference Python stack (Hugging Face
/// <c>tokenizers</c>): added/special tokens matched in the raw text, then BertNormalizer, then
/// BertPreTokenizer, then WordPiece, then [CLS] … [SEP] with truncation to the model's maximum
/// length (special tokens included).
/// </summary>
/// <remarks>
/// <para>WordPiece itself (vocabulary, greedy longest match, <c>##</c> continuation, [UNK] for a word
/// that cannot be covered) is Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/>. Everything in
/// front of it is done here, because BertTokenizer 2.0.1 differs from the reference on 220 of the
/// 997 golden sentences:</para>
/// <list type="number">
/// <item>its pre-tokeniser is the regex <c>\w+|\p{P}</c>, so symbols (<c>$ + = &lt; &gt; ^ | ` × £ €</c>) and
/// emoji are silently dropped instead of becoming tokens or [UNK]; and <c>_</c> counts as a word
/// character instead of punctuation (<c>under_scores</c> → one word);</item>
/// <item>its normaliser calls <see cref="string.Normalize(NormalizationForm)"/>, a no-op for
/// non-ASCII text under InvariantGlobalization, so accents are not stripped (<c>héllo</c> → [UNK])
/// and Hangul is not decomposed into jamo;</item>
/// <item>it also strips spacing combining marks (Mc, e.g. Devanagari vowel signs), where the
/// reference strips only non-spacing marks (Mn), and recomposes to NFC at the end;</item>
/// <item>it treats U+200B and other format characters as word separators, where the reference
/// deletes them (<c>zero​width</c> → <c>zerowidth</c>);</item>
/// <item>its truncation keeps whole words (255 tokens instead of 256 when a word's pieces straddle
/// the limit), where the reference cuts at the token;</item>
/// <item>its 100-character word limit counts UTF-16 units, the reference counts code points.</item>
/// </list>
/// <para>Thread-safe: instances are immutable.</para>
/// </remarks>
public sealed class BertWordPieceTokenizer
{
    /// <summary>Words longer than this (in code points) become [UNK], as in the reference.</summary>
    public const int MaxInputCharsPerWord = 100;

    private readonly BertTokenizer _wordPiece;
    private readonly string[] _addedTokens;
    private readonly int[] _addedTokenIds;
    private readonly string _addedFirstChars;
    private readonly bool _lowerCase;
    private readonly bool _stripAccents;
    private readonly bool _chineseChars;
    // ASCII fast path: what the normaliser turns each ASCII character into (-1 = dropped), and how
    // the pre-tokeniser sees it (0 = word character, 1 = whitespace, 2 = punctuation).
    private readonly short[] _asciiNormalized = new short[128];
    private readonly byte[] _asciiClass = new byte[128];

    public BertWordPieceTokenizer(string vocabPath, BertTokenizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MaxLength < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), "MaxLength must be at least 2 ([CLS] and [SEP]).");
        }

        BertUnicode.Touch();
        _wordPiece = BertTokenizer.Create(vocabPath, new BertOptions
        {
            // Only WordPiece is used; normalisation and pre-tokenisation happen here.
            ApplyBasicTokenization = false,
            SplitOnSpecialTokens = false,
            LowerCaseBeforeTokenization = false,
            UnknownToken = settings.UnknownToken,
            ClassificationToken = settings.ClassificationToken,
            SeparatorToken = settings.SeparatorToken,
            PaddingToken = settings.PaddingToken,
            MaskingToken = settings.MaskingToken,
            // The library counts UTF-16 units; the limit in code points is checked here.
            MaxInputCharsPerWord = MaxInputCharsPerWord * 2,
        });
        Settings = settings;
        _lowerCase = settings.LowerCase;
        _stripAccents = settings.StripAccents ?? settings.LowerCase;
        _chineseChars = settings.TokenizeChineseChars;

        var added = new List<(string Token, int Id)>();
        foreach (string token in settings.AddedTokens.Concat([settings.UnknownToken, settings.ClassificationToken, settings.SeparatorToken, settings.PaddingToken, settings.MaskingToken]).Distinct(StringComparer.Ordinal))
        {
            IReadOnlyList<int> found = token.Length == 0 ? [] : _wordPiece.EncodeToIds(token, addSpecialTokens: false, considerPreTokenization: false, considerNormalization: false);
            if (found.Count == 1 && (found[0] != _wordPiece.UnknownTokenId || token == settings.UnknownToken))
            {
                added.Add((token, found[0]));
            }
        }

        // Longest first, so that the leftmost-longest match wins as in the reference.
        added.Sort((a, b) => b.Token.Length.CompareTo(a.Token.Length));
        _addedTokens = added.ConvertAll(a => a.Token).ToArray();
        _addedTokenIds = added.ConvertAll(a => a.Id).ToArray();
        _addedFirstChars = new string([.. added.Select(a => a.Token[0]).Distinct()]);

        var scratch = new StringBuilder();
        for (int c = 0; c < 128; c++)
        {
            scratch.Clear();
            AppendNormalized(c, scratch);
            _asciiNormalized[c] = scratch.Length == 0 ? (short)-1 : (short)scratch[0];
            _asciiClass[c] = BertUnicode.Whitespace.Contains(c) ? (byte)1 : BertUnicode.Punct.Contains(c) ? (byte)2 : (byte)0;
        }
    }

    public BertTokenizerSettings Settings { get; }

    public int MaxLength => Settings.MaxLength;

    public int ClassificationTokenId => _wordPiece.ClassificationTokenId;

    public int SeparatorTokenId => _wordPiece.SeparatorTokenId;

    public int PaddingTokenId => _wordPiece.PaddingTokenId;

    public int UnknownTokenId => _wordPiece.UnknownTokenId;

    /// <summary>Token ids of <paramref name="text"/> with [CLS] and [SEP], at most <see cref="MaxLength"/>.</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>(32);
        Encode(text, ids);
        return [.. ids];
    }

    /// <summary>Appends the token ids of <paramref name="text"/> (with [CLS] and [SEP], at most
    /// <see cref="MaxLength"/>) to <paramref name="ids"/>; returns how many were appended.</summary>
    public int Encode(string text, List<int> ids) => Encode(text, ids, LongInputPolicy.Head);

    /// <summary>
    /// Appends the token ids of <paramref name="text"/> with [CLS] and [SEP], at most <see cref="MaxLength"/>;
    /// a longer text keeps what <paramref name="policy"/> says (<see cref="LongInputPolicy.HeadTail"/>: the
    /// first ⌈w/2⌉ and the last ⌊w/2⌋ of the w = MaxLength − 2 word pieces that fit between [CLS] and [SEP]).
    /// </summary>
    public int Encode(string text, List<int> ids, LongInputPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(ids);
        int start = ids.Count;
        int window = MaxLength - 2;

        // Head + tail reads the whole text (bounded by its length: at most one piece per character) and
        // then drops the middle; head stops tokenising at the window, as the reference does.
        int limit = policy == LongInputPolicy.HeadTail ? int.MaxValue : start + 1 + window;
        ids.Add(ClassificationTokenId);

        // Added tokens ([CLS], [SEP], [MASK] …) are matched in the raw text, case-sensitively,
        // before normalisation; the text between them is tokenised as usual.
        int segment = 0;
        for (int i = 0; i < text.Length && ids.Count < limit; i++)
        {
            if (_addedFirstChars.IndexOf(text[i]) < 0)
            {
                continue;
            }

            for (int t = 0; t < _addedTokens.Length; t++)
            {
                if (text.AsSpan(i).StartsWith(_addedTokens[t], StringComparison.Ordinal))
                {
                    EncodeSegment(text.AsSpan(segment, i - segment), ids, limit);
                    if (ids.Count < limit)
                    {
                        ids.Add(_addedTokenIds[t]);
                    }

                    i += _addedTokens[t].Length - 1;
                    segment = i + 1;
                    break;
                }
            }
        }

        if (segment < text.Length)
        {
            EncodeSegment(text.AsSpan(segment), ids, limit);
        }

        if (ids.Count > limit)
        {
            ids.RemoveRange(limit, ids.Count - limit);
        }

        int pieces = ids.Count - start - 1;
        if (pieces > window)
        {
            int head = (window + 1) / 2;
            int tail = window - head;
            ids.RemoveRange(start + 1 + head, pieces - head - tail);
        }

        ids.Add(SeparatorTokenId);
        return ids.Count - start;
    }

    private void EncodeSegment(ReadOnlySpan<char> raw, List<int> ids, int limit)
    {
        if (raw.IsEmpty)
        {
            return;
        }

        char[] buffer = ArrayPool<char>.Shared.Rent(Math.Max(16, raw.Length * 3 + 8));
        try
        {
            int n = Normalize(raw, ref buffer);
            PreTokenizeAndWordPiece(buffer.AsSpan(0, n), ids, limit);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>The reference BertNormalizer: clean_text, handle_chinese_chars, strip_accents, lowercase.</summary>
    internal string Normalize(string text)
    {
        char[] buffer = ArrayPool<char>.Shared.Rent(Math.Max(16, text.Length * 3 + 8));
        try
        {
            int n = Normalize(text, ref buffer);
            return new string(buffer, 0, n);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private int Normalize(ReadOnlySpan<char> raw, ref char[] buffer)
    {
        int n = 0;
        var scratch = new StringBuilder();
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (c < 128)
            {
                short m = _asciiNormalized[c];
                if (m >= 0)
                {
                    Put(ref buffer, ref n, (char)m);
                }

                continue;
            }

            int cp = c;
            if (char.IsHighSurrogate(c) && i + 1 < raw.Length && char.IsLowSurrogate(raw[i + 1]))
            {
                cp = char.ConvertToUtf32(c, raw[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                cp = 0xFFFD; // a lone surrogate cannot reach the reference; treat it as U+FFFD
            }

            scratch.Clear();
            AppendNormalized(cp, scratch);
            foreach (ReadOnlyMemory<char> chunk in scratch.GetChunks())
            {
                foreach (char o in chunk.Span)
                {
                    Put(ref buffer, ref n, o);
                }
            }
        }

        return n;
    }

    private static void Put(ref char[] buffer, ref int n, char c)
    {
        if (n == buffer.Length)
        {
            char[] bigger = ArrayPool<char>.Shared.Rent(buffer.Length * 2);
            buffer.AsSpan(0, n).CopyTo(bigger);
            ArrayPool<char>.Shared.Return(buffer);
            buffer = bigger;
        }

        buffer[n++] = c;
    }

    /// <summary>One code point through the reference's steps, in its order.</summary>
    private void AppendNormalized(int cp, StringBuilder output)
    {
        // clean_text (always on in BERT tokenizer.json files): drop controls, map whitespace to ' '.
        if (BertUnicode.Clean.TryGet(cp, out var clean))
        {
            if (clean.Kind == BertUnicode.Kind.Space)
            {
                output.Append(' ');
            }

            if (clean.Kind is BertUnicode.Kind.Space or BertUnicode.Kind.Drop)
            {
                return;
            }
        }

        bool pad = _chineseChars && BertUnicode.Cjk.Contains(cp);
        if (pad)
        {
            output.Append(' ');
        }

        if (_stripAccents && BertUnicode.Strip.TryGet(cp, out var strip))
        {
            switch (strip.Kind)
            {
                case BertUnicode.Kind.Drop:
                    break;
                case BertUnicode.Kind.Hangul:
                    int s = cp - 0xAC00;
                    AppendLower(0x1100 + s / 588, output);
                    AppendLower(0x1161 + s % 588 / 28, output);
                    if (s % 28 != 0)
                    {
                        AppendLower(0x11A7 + s % 28, output);
                    }

                    break;
                case BertUnicode.Kind.Delta:
                    AppendLower(cp + strip.Delta, output);
                    break;
                default:
                    foreach (int o in strip.Map!)
                    {
                        AppendLower(o, output);
                    }

                    break;
            }
        }
        else
        {
            AppendLower(cp, output);
        }

        if (pad)
        {
            output.Append(' ');
        }
    }

    private void AppendLower(int cp, StringBuilder output)
    {
        if (_lowerCase && BertUnicode.Lower.TryGet(cp, out var lower))
        {
            switch (lower.Kind)
            {
                case BertUnicode.Kind.Drop:
                    return;
                case BertUnicode.Kind.Delta:
                    cp += lower.Delta;
                    break;
                case BertUnicode.Kind.Map:
                    foreach (int o in lower.Map!)
                    {
                        AppendCodePoint(o, output);
                    }

                    return;
                default:
                    break;
            }
        }

        AppendCodePoint(cp, output);
    }

    private static void AppendCodePoint(int cp, StringBuilder output)
    {
        if (cp < 0x10000)
        {
            output.Append((char)cp);
        }
        else
        {
            output.Append(char.ConvertFromUtf32(cp));
        }
    }

    /// <summary>BertPreTokenizer (split on whitespace, isolate each punctuation character) and WordPiece per word.</summary>
    private void PreTokenizeAndWordPiece(ReadOnlySpan<char> text, List<int> ids, int limit)
    {
        int wordStart = 0;
        int i = 0;
        while (i < text.Length && ids.Count < limit)
        {
            char c = text[i];
            int width = 1;
            byte kind;
            if (c < 128)
            {
                kind = _asciiClass[c];
            }
            else
            {
                int cp = c;
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    cp = char.ConvertToUtf32(c, text[i + 1]);
                    width = 2;
                }

                kind = BertUnicode.Whitespace.Contains(cp) ? (byte)1 : BertUnicode.Punct.Contains(cp) ? (byte)2 : (byte)0;
            }

            if (kind != 0)
            {
                WordPiece(text[wordStart..i], ids);
                if (kind == 2 && ids.Count < limit)
                {
                    WordPiece(text.Slice(i, width), ids);
                }

                wordStart = i + width;
            }

            i += width;
        }

        if (ids.Count < limit)
        {
            WordPiece(text[wordStart..], ids);
        }
    }

    private void WordPiece(ReadOnlySpan<char> word, List<int> ids)
    {
        if (word.IsEmpty)
        {
            return;
        }

        if (word.Length > MaxInputCharsPerWord && CodePointCount(word) > MaxInputCharsPerWord)
        {
            ids.Add(UnknownTokenId);
            return;
        }

        ids.AddRange(_wordPiece.EncodeToIds(word, addSpecialTokens: false, considerPreTokenization: false, considerNormalization: false));
    }

    private static int CodePointCount(ReadOnlySpan<char> s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (!(char.IsLowSurrogate(s[i]) && i > 0 && char.IsHighSurrogate(s[i - 1])))
            {
                n++;
            }
        }

        return n;
    }
}

/// <summary>How a BERT tokenizer is configured (from a model folder's tokenizer_config.json).</summary>
public sealed record BertTokenizerSettings
{
    /// <summary>Lower-case the text (do_lower_case).</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Strip accents (strip_accents); null means "same as <see cref="LowerCase"/>", as in the reference.</summary>
    public bool? StripAccents { get; init; }

    /// <summary>Put spaces around CJK ideographs (tokenize_chinese_chars).</summary>
    public bool TokenizeChineseChars { get; init; } = true;

    /// <summary>Maximum sequence length including [CLS] and [SEP].</summary>
    public int MaxLength { get; init; } = 512;

    public string UnknownToken { get; init; } = "[UNK]";

    public string ClassificationToken { get; init; } = "[CLS]";

    public string SeparatorToken { get; init; } = "[SEP]";

    public string PaddingToken { get; init; } = "[PAD]";

    public string MaskingToken { get; init; } = "[MASK]";

    /// <summary>Further added tokens matched verbatim in the raw text (tokenizer.json added_tokens).</summary>
    public IReadOnlyList<string> AddedTokens { get; init; } = [];
}
