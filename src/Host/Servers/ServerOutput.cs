using System.Text;

namespace AnyClaude.Host.Servers;

/// <summary>
/// What a server prints, stdout and stderr together: the last <see cref="Kept"/> lines for messages and status, each
/// line also handed to <c>onLine</c> (the log). A line ends at <c>\n</c> or <c>\r</c>, so a progress bar that redraws
/// itself (a download's percentage) arrives as it moves, not once at the end.
/// </summary>
internal sealed class ServerOutput(Action<string> onLine)
{
    public const int Kept = 40;
    private const int LongestLine = 1_000;

    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    /// <summary>The last line printed, null when none yet.</summary>
    public string? LastLine
    {
        get
        {
            lock (_gate)
            {
                return _lines.Count == 0 ? null : _lines.Last();
            }
        }
    }

    public IReadOnlyList<string> Last(int count = Kept)
    {
        lock (_gate)
        {
            return [.. _lines.Skip(Math.Max(0, _lines.Count - count))];
        }
    }

    /// <summary>A new start: the previous run's lines are no longer what the server says.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _lines.Clear();
        }
    }

    /// <summary>Reads one of the server's streams to its end.</summary>
    public async Task ReadAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        var line = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            foreach (char c in buffer.AsSpan(0, read))
            {
                if (c is '\n' or '\r')
                {
                    Add(line);
                }
                else if (line.Length < LongestLine)
                {
                    line.Append(c);
                }
            }
        }

        Add(line);
    }

    private void Add(StringBuilder builder)
    {
        string line = builder.ToString().TrimEnd();
        builder.Clear();
        if (line.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Enqueue(line);
            if (_lines.Count > Kept)
            {
                _lines.Dequeue();
            }
        }

        onLine(line);
    }
}
