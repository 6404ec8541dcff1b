using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SemanticRouter.Cli;

/// <summary>
/// Progress for a stderr that is not a terminal (a file, a pipe, a CI log), where Spectre's bars draw
/// nothing: the long commands' stderr is wrapped in this writer, which passes every line through and,
/// after each <see cref="Interval"/> without a line, writes one saying what is running and for how long —
/// the count of the step when the command reports one (<see cref="Count"/>: "embedding prompts 1200/14037
/// (9 %)"), else the last line written ("fold 2/5: training the route head on 12000 utterances"). So a fold,
/// a training step or an import that takes minutes still prints a line every few seconds (issue 31).
/// On a terminal the commands draw Spectre bars instead and this writer is not used.
/// </summary>
internal sealed class ProgressLines : TextWriter
{
    /// <summary>The longest silence before a progress line; zero = a line for every <see cref="Count"/> report and no timer (tests).</summary>
    internal static TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    private readonly TextWriter _inner;
    private readonly string _command;
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();
    private readonly StringBuilder _partial = new();
    private readonly Timer? _timer;
    private string? _lastLine;
    private long _lastWrite = Stopwatch.GetTimestamp();
    private long _stepStarted = Stopwatch.GetTimestamp();
    private (string What, long Done, long Total)? _count;

    public ProgressLines(TextWriter inner, string command)
        : this(inner, command, Interval)
    {
    }

    internal ProgressLines(TextWriter inner, string command, TimeSpan interval)
    {
        _inner = inner;
        _command = command;
        _interval = interval;
        if (interval > TimeSpan.Zero)
        {
            var tick = interval / 5;
            _timer = new Timer(_ => Tick(Stopwatch.GetTimestamp()), null, tick, tick);
        }
    }

    public override Encoding Encoding => _inner.Encoding;

    /// <summary>Reports how far a counted step is (<paramref name="writer"/> is the command's stderr; a no-op unless it is a <see cref="ProgressLines"/>).</summary>
    public static void Count(TextWriter writer, string what, long done, long total)
    {
        if (writer is ProgressLines lines)
        {
            lines.SetCount(what, done, total);
        }
    }

    /// <summary>True when <paramref name="writer"/> reports progress as lines (so the command draws no bar).</summary>
    public static bool IsLines(TextWriter writer) => writer is ProgressLines;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _inner.Write(value);
            Track(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            _inner.Write(value);
            foreach (char c in value ?? string.Empty)
            {
                Track(c);
            }
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_gate)
        {
            _inner.Write(buffer, index, count);
            for (int i = index; i < index + count; i++)
            {
                Track(buffer[i]);
            }
        }
    }

    public override void Flush()
    {
        lock (_gate)
        {
            _inner.Flush();
        }
    }

    /// <summary>Writes a progress line if the command has been silent for an interval (the timer's work; tests call it with a clock of their own).</summary>
    internal void Tick(long now)
    {
        lock (_gate)
        {
            if (Stopwatch.GetElapsedTime(_lastWrite, now) < _interval || (_count is null && _lastLine is null))
            {
                return;
            }

            WriteProgress(now);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _timer?.Dispose();
            lock (_gate)
            {
                _inner.Flush();
            }
        }

        base.Dispose(disposing);
    }

    private void SetCount(string what, long done, long total)
    {
        lock (_gate)
        {
            if (_count?.What != what)
            {
                _stepStarted = Stopwatch.GetTimestamp();
            }

            _count = (what, done, total);
            if (_interval == TimeSpan.Zero)
            {
                WriteProgress(Stopwatch.GetTimestamp());
            }
        }
    }

    private void WriteProgress(long now)
    {
        var seconds = Stopwatch.GetElapsedTime(_stepStarted, now).TotalSeconds;
        string line = _count is var (what, done, total)
            ? string.Create(CultureInfo.InvariantCulture, $"{_command}: {what} {done}/{total} ({(total > 0 ? 100.0 * done / total : 0):0} %), {seconds:0} s")
            : string.Create(CultureInfo.InvariantCulture, $"{_command}: still at \"{_lastLine}\", {seconds:0} s");
        _inner.WriteLine(line);
        _inner.Flush();
        _lastWrite = now;
    }

    private void Track(char c)
    {
        if (c == '\r')
        {
            return;
        }

        if (c != '\n')
        {
            _partial.Append(c);
            return;
        }

        // A line of the command's own: the step it starts is what the next progress lines describe.
        string line = _partial.ToString();
        _partial.Clear();
        if (line.Length > 0)
        {
            _lastLine = line.StartsWith(_command + ": ", StringComparison.Ordinal) ? line[(_command.Length + 2)..] : line;
            _count = null;
            _stepStarted = _lastWrite = Stopwatch.GetTimestamp();
        }
    }
}
