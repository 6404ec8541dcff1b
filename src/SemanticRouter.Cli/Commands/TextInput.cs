using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace SemanticRouter.Cli.Commands;

/// <summary>
/// Reads the texts of `tokenize` and `embed`: one UTF-8 text per line, or with --jsonl one JSON
/// string per line. Lines are split on raw bytes and decoded strictly one at a time, so invalid
/// UTF-8 and bad JSON are reported with their line number. Streams: nothing is held beyond a line.
/// </summary>
internal static class TextInput
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Stream Open(string input)
    {
        if (input == "-")
        {
            return Console.OpenStandardInput();
        }

        try
        {
            return new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {input}: {e.Message}", ExitCodes.BadInput);
        }
    }

    public static async IAsyncEnumerable<string> ReadTextsAsync(Stream stream, bool jsonl, [EnumeratorCancellation] CancellationToken ct)
    {
        int lineNumber = 0;
        await foreach (byte[] line in ReadLinesAsync(stream, ct).ConfigureAwait(false))
        {
            lineNumber++;
            ReadOnlySpan<byte> bytes = line;
            if (lineNumber == 1 && bytes.StartsWith("\uFEFF"u8))
            {
                bytes = bytes[3..];
            }

            if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
            {
                bytes = bytes[..^1];
            }

            string text;
            try
            {
                text = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                throw new CliException($"line {lineNumber}: invalid UTF-8 (byte offset {e.Index})", ExitCodes.BadInput);
            }

            if (jsonl)
            {
                text = ParseJsonString(text, lineNumber);
            }

            yield return text;
        }
    }

    private static string ParseJsonString(string line, int lineNumber)
    {
        try
        {
            return JsonSerializer.Deserialize<string>(line)
                ?? throw new CliException($"line {lineNumber}: expected a JSON string, got null", ExitCodes.BadInput);
        }
        catch (JsonException e)
        {
            string what = line.TrimStart().Length == 0 ? "empty line" : e.Message;
            throw new CliException($"line {lineNumber}: bad JSON (expected one JSON string per line): {what}", ExitCodes.BadInput);
        }
    }

    /// <summary>Splits a byte stream on '\n'; a final line without '\n' counts, an empty tail does not.</summary>
    private static async IAsyncEnumerable<byte[]> ReadLinesAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        var pending = new ArrayBufferWriter<byte>();
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                int start = 0;
                while (true)
                {
                    int nl = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                    if (nl < 0)
                    {
                        pending.Write(buffer.AsSpan(start, read - start));
                        break;
                    }

                    pending.Write(buffer.AsSpan(start, nl - start));
                    yield return pending.WrittenSpan.ToArray();
                    pending.ResetWrittenCount();
                    start = nl + 1;
                }
            }

            if (pending.WrittenCount > 0)
            {
                yield return pending.WrittenSpan.ToArray();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
