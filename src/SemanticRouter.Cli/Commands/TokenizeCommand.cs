using System.CommandLine;
using System.Text;
using SemanticRouter.Embeddings;

namespace SemanticRouter.Cli.Commands;

/// <summary>`semantic-router tokenize`: one JSON array of token ids per input text.</summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var model = ModelOptions.Model();
        var input = ModelOptions.Input();
        var jsonl = ModelOptions.Jsonl();
        var command = new Command("tokenize", "Print the token ids of each input text (one JSON array per line)") { model, input, jsonl };
        CliAction.Set(command, async (parse, stdout, stderr, ct) =>
        {
            var folder = ModelOptions.OpenFolder(ModelOptions.Resolve(parse.GetValue(model)));
            var tokenizer = new BertWordPieceTokenizer(folder.VocabPath, folder.TokenizerSettings);
            await using var stream = TextInput.Open(parse.GetValue(input)!);
            var ids = new List<int>(64);
            var line = new StringBuilder();
            await foreach (string text in TextInput.ReadTextsAsync(stream, parse.GetValue(jsonl), ct).ConfigureAwait(false))
            {
                ids.Clear();
                tokenizer.Encode(text, ids);
                line.Clear().Append('[');
                for (int i = 0; i < ids.Count; i++)
                {
                    if (i > 0)
                    {
                        line.Append(',');
                    }

                    line.Append(ids[i]);
                }

                line.Append(']');
                await stdout.WriteLineAsync(line, ct).ConfigureAwait(false);
            }

            await stdout.FlushAsync(ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
