using System.Text;

namespace AnyClaude.TestSupport;

/// <summary>
/// A line-at-a-time SSE parser that, unlike <c>SseParser</c>, keeps comment lines: each comment comes out at
/// once as <c>(":comment", text)</c>; events come out at their blank line as <c>(event or null, data)</c>.
/// </summary>
internal sealed class SseLineParser
{
    private readonly StringBuilder _data = new();
    private string? _event;
    private bool _hasData;

    /// <summary>Feeds one line (without its line break); returns the item it completes, if any.</summary>
    public (string? Event, string Data)? Feed(string line)
    {
        if (line.Length == 0)
        {
            return Dispatch();
        }

        if (line[0] == ':')
        {
            return (SseReader.CommentEvent, WithoutLeadingSpace(line.AsSpan(1)));
        }

        var colon = line.IndexOf(':', StringComparison.Ordinal);
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? "" : WithoutLeadingSpace(line.AsSpan(colon + 1));
        switch (field)
        {
            case "event":
                _event = value;
                break;
            case "data":
                if (_hasData)
                {
                    _data.Append('\n');
                }

                _data.Append(value);
                _hasData = true;
                break;
        }

        return null;
    }

    private (string? Event, string Data)? Dispatch()
    {
        (string? Event, string Data)? item = _hasData ? (_event, _data.ToString()) : null;
        _event = null;
        _data.Clear();
        _hasData = false;
        return item;
    }

    private static string WithoutLeadingSpace(ReadOnlySpan<char> value) =>
        (value.Length > 0 && value[0] == ' ' ? value[1..] : value).ToString();
}
