using SemanticRouter.Formats;

namespace SemanticRouter.Core.Tests.Formats;

public class CsvRecordsTests
{
    private static List<(int Line, List<string> Fields)> Read(string text) =>
        CsvRecords.Read(new StringReader(text), (line, message) => new InvalidDataException($"{line}: {message}")).ToList();

    [Fact]
    public void Read_QuotedCommasQuotesAndLineBreaks_WithTheLineEachRecordStartsOn()
    {
        var records = Read("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\nlast,1");
        Assert.Equal([1, 2, 3, 5], records.Select(r => r.Line));
        Assert.Equal(["a", "b"], records[0].Fields);
        Assert.Equal(["x, y", "say \"hi\""], records[1].Fields);
        Assert.Equal(["two\nlines", "z"], records[2].Fields);
        Assert.Equal(["last", "1"], records[3].Fields);
    }

    [Fact]
    public void Read_BlankLinesSkipped_EmptyFieldsKept()
    {
        var records = Read("a,b\n\n\r\n,\n\"\"\nc,\n");
        Assert.Equal([(1, 2), (4, 2), (6, 2)], records.Select(r => (r.Line, r.Fields.Count)));
        Assert.Equal(["", ""], records[1].Fields);
        Assert.Equal(["c", ""], records[2].Fields);
    }

    [Fact]
    public void Read_StrayQuoteInsideAnUnquotedField_IsText()
    {
        Assert.Equal(["5\" screen", "ok"], Read("5\" screen,ok\n").Single().Fields);
    }

    [Fact]
    public void Read_LoneCarriageReturn_IsText()
    {
        Assert.Equal(["a\rb"], Read("a\rb\n").Single().Fields);
    }

    [Fact]
    public void Read_UnterminatedQuote_IsTheCallersErrorWithTheRecordsFirstLine()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("a,b\nok,1\n\"never\nclosed,2\n"));
        Assert.Equal("3: unterminated quoted field", e.Message);
    }

    [Fact]
    public void ReadFile_SkipsTheByteOrderMark()
    {
        var path = Path.Combine(Path.GetTempPath(), $"csv-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, "text,model\nhi,gpt\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            var records = CsvRecords.ReadFile(path, (line, message) => new InvalidDataException(message)).ToList();
            Assert.Equal(["text", "model"], records[0].Fields);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
