using System.Text;

namespace SemanticRouter.Routes.Import;

/// <summary>A minimal RFC 4180 reader: comma-separated, double-quoted fields may hold commas, quotes ("")
/// and line breaks. Yields each record with the 1-based line it starts on.</summary>
internal static class CsvReader
{
    internal static IEnumerable<(int Line, List<string> Fields)> Read(string text, string file)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var i = 0;
        var inQuotes = false;
        var any = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }

                    inQuotes = false;
                    i++;
                    continue;
                }

                if (c == '\n')
                {
                    line++;
                }

                field.Append(c);
                i++;
                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    inQuotes = true;
                    any = true;
                    i++;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    any = true;
                    i++;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    i++;
                    break;
                case '\n':
                    if (any || field.Length > 0)
                    {
                        fields.Add(field.ToString());
                        yield return (recordLine, fields);
                    }

                    fields = [];
                    field.Clear();
                    any = false;
                    line++;
                    recordLine = line;
                    i++;
                    break;
                default:
                    field.Append(c);
                    any = true;
                    i++;
                    break;
            }
        }

        if (inQuotes)
        {
            throw new DatasetImportException($"{file}:{recordLine}: unterminated quoted field");
        }

        if (any || field.Length > 0)
        {
            fields.Add(field.ToString());
            yield return (recordLine, fields);
        }
    }
}
