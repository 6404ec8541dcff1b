namespace SemanticRouter.Embeddings;

/// <summary>
/// What the encoder reads of a text longer than its window (all-MiniLM-L6-v2: 256 tokens with [CLS]
/// and [SEP]). One setting, carried in the index (<c>ranking-options.json</c>'s <c>long_input</c>), so
/// <c>build</c>, <c>serve</c> and <c>eval</c> read the same tokens of the same text.
/// </summary>
public enum LongInputPolicy
{
    /// <summary>The first tokens that fit: the reference tokenizer's truncation, and the default.</summary>
    Head = 0,

    /// <summary>
    /// The first half of the window and the last half: few-shot prompts put the exemplars first and the
    /// real question last, and with <see cref="Head"/> the question never reached the encoder
    /// (RouterBench's ARC and Winogrande prompts, about 2,000 characters; docs/evaluation.md).
    /// </summary>
    HeadTail = 1,
}

/// <summary>The policies' names in files and on the command line.</summary>
public static class LongInputPolicies
{
    public static string Name(LongInputPolicy policy) => policy switch
    {
        LongInputPolicy.Head => "head",
        LongInputPolicy.HeadTail => "head-tail",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown long-input policy"),
    };

    public static bool TryParse(string? name, out LongInputPolicy policy)
    {
        switch (name)
        {
            case "head":
                policy = LongInputPolicy.Head;
                return true;
            case "head-tail":
                policy = LongInputPolicy.HeadTail;
                return true;
            default:
                policy = LongInputPolicy.Head;
                return false;
        }
    }

    public static LongInputPolicy Parse(string? name) =>
        TryParse(name, out var p) ? p : throw new FormatException($"long-input policy must be 'head' or 'head-tail', not '{name}'");
}
