namespace AnyClaude.Host.Servers;

/// <summary>
/// Where the lines about starting servers go while the user is looking at anyclaude's own output (the launcher before
/// Claude Code takes the terminal, <c>--proxy-only</c> all along); null once Claude Code owns the terminal, when only
/// the log keeps them.
/// </summary>
internal sealed class ServerAnnouncements
{
    private volatile TextWriter? _terminal;

    public TextWriter? Terminal
    {
        get => _terminal;
        set => _terminal = value;
    }

    public void Say(string line) => _terminal?.WriteLine($"anyclaude: {line}");
}
