using System.Text;

namespace SemanticRouter.Formats;

/// <summary>
/// The one RFC 4180 reader of the engine (route imports, outcome imports, RouteLLM's outcome files):
/// comma-separated, double-quoted fields may hold commas, doubled quotes and line breaks; LF or CRLF
/// line ends. It streams, so a history file of any size is read in constant memory, and it yields each
/// record with the 1-based line it starts on, so every caller can name the line of a bad cell.
/// Blank lines, and lines holding only an empty quoted field, are skipped. A quote opens a quoted
/// field only at the field's start; a stray quote inside an unquoted field is kept as text.
/// </summary>
internal static class CsvRecords
{
    /// <summary>
    /// The records of a file. <paramref name="error"/> makes the caller's exception from a line number
    /// and a message, so that a malformed file surfaces as that caller's error type (with its exit code
    /// or gRPC status) rather than as a format exception of its own.
    /// </summary>
    internal static IEnumerable<(int Line, List<string> Fields)> ReadFile(string path, Func<int, string, Exception> error)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        foreach (var record in Read(reader, error))
        {
            yield return record;
        }
    }

    /// <summary>The records of <paramref name="reader"/>; see <see cref="ReadFile"/>.</summary>
    internal static IEnumerable<(int Line, List<string> Fields)> Read(TextReader reader, Func<int, string, Exception> error)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(error);
        var line = 1;
        while (reader.Peek() >= 0)
        {
            var start = line;
            var fields = ReadRecord(reader, ref line) ?? throw error(start, "unterminated quoted field");
            if (fields is not [""])
            {
                yield return (start, fields);
            }
        }
    }

    /// <summary>One record, from the reader's position up to and including its line end; null if a quoted field runs to the end of the input.</summary>
    private static List<string>? ReadRecord(TextReader reader, ref int line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        while (true)
        {
            var c = reader.Read();
            if (c < 0)
            {
                if (quoted)
                {
                    return null;
                }

                fields.Add(field.ToString());
                return fields;
            }

            if (quoted)
            {
                if (c != '"')
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append((char)c);
                }
                else if (reader.Peek() == '"')
                {
                    reader.Read();
                    field.Append('"');
                }
                else
                {
                    quoted = false;
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r' when reader.Peek() == '\n':
                    break;
                case '\n':
                    line++;
                    fields.Add(field.ToString());
                    return fields;
                default:
                    field.Append((char)c);
                    break;
            }
        }
    }
}
