using System.CommandLine;
using System.Globalization;
using System.Text;
using SemanticRouter.Embeddings;

namespace SemanticRouter.Cli.Commands;

/// <summary>`semantic-router embed`: one JSON array of floats (the unit-length sentence vector) per input text.</summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var model = ModelOptions.Model();
        var input = ModelOptions.Input();
        var jsonl = ModelOptions.Jsonl();
        var batch = new Option<int>("--batch")
        {
            Description = "Texts per model run",
            DefaultValueFactory = _ => SentenceEncoderOptions.DefaultBatchSize,
        };
        var command = new Command("embed", "Print the sentence vector of each input text (one JSON array per line)") { model, input, jsonl, batch };
        CliAction.Set(command, async (parse, stdout, stderr, ct) =>
        {
            int batchSize = parse.GetValue(batch);
            if (batchSize is < 1 or > 4096)
            {
                throw new CliException($"--batch must be in 1..4096, got {batchSize}", ExitCodes.BadInput);
            }

            var folder = ModelOptions.OpenFolder(ModelOptions.Resolve(parse.GetValue(model)));
            SentenceEncoder encoder;
            try
            {
                encoder = new SentenceEncoder(folder, new SentenceEncoderOptions { BatchSize = batchSize });
            }
            catch (ModelFolderException e)
            {
                throw new CliException($"model folder {e.Message}", ExitCodes.BadArtifact);
            }

            using (encoder)
            {
                await using var stream = TextInput.Open(parse.GetValue(input)!);
                var pending = new List<string>(batchSize);
                float[] vectors = new float[batchSize * encoder.Dimensions];
                var line = new StringBuilder(encoder.Dimensions * 12);
                async Task FlushAsync()
                {
                    encoder.Embed(pending, vectors);
                    for (int r = 0; r < pending.Count; r++)
                    {
                        line.Clear().Append('[');
                        ReadOnlySpan<float> v = vectors.AsSpan(r * encoder.Dimensions, encoder.Dimensions);
                        for (int i = 0; i < v.Length; i++)
                        {
                            if (i > 0)
                            {
                                line.Append(',');
                            }

                            line.Append(v[i].ToString("R", CultureInfo.InvariantCulture));
                        }

                        line.Append(']');
                        await stdout.WriteLineAsync(line, ct).ConfigureAwait(false);
                    }

                    pending.Clear();
                }

                await foreach (string text in TextInput.ReadTextsAsync(stream, parse.GetValue(jsonl), ct).ConfigureAwait(false))
                {
                    pending.Add(text);
                    if (pending.Count == batchSize)
                    {
                        await FlushAsync().ConfigureAwait(false);
                    }
                }

                if (pending.Count > 0)
                {
                    await FlushAsync().ConfigureAwait(false);
                }

                await stdout.FlushAsync(ct).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
