using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;

namespace AnyClaude.TestSupport;

/// <summary>
/// Reads server-sent events, e.g. the proxy's Anthropic stream (<c>event: …\ndata: …\n\n</c>).
/// <see cref="ReadAsync"/> and <see cref="Parse"/> use the BCL's <see cref="SseParser"/> and skip comments;
/// the <c>…WithComments</c> variants also return each comment line as <c>(":comment", text)</c>.
/// An event without an <c>event:</c> field comes back with a null name.
/// </summary>
public static class SseReader
{
    /// <summary>The event name given to comment lines by the <c>…WithComments</c> methods.</summary>
    public const string CommentEvent = ":comment";

    /// <summary>The events of a stream as they arrive (comments skipped).</summary>
    public static async IAsyncEnumerable<(string? Event, string Data)> ReadAsync(
        Stream stream,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var parser = SseParser.Create(stream, static (_, data) => Encoding.UTF8.GetString(data));
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return (EventName(item.EventType), item.Data);
        }
    }

    /// <summary>The events of a complete body (comments skipped).</summary>
    public static List<(string? Event, string Data)> Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return [.. SseParser.Create(stream, static (_, data) => Encoding.UTF8.GetString(data))
            .Enumerate()
            .Select(item => (EventName(item.EventType), item.Data))];
    }

    /// <summary>The events and comment lines of a stream, in order; comments as <c>(":comment", text)</c>.</summary>
    public static async IAsyncEnumerable<(string? Event, string Data)> ReadWithCommentsAsync(
        Stream stream,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var parser = new SseLineParser();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (parser.Feed(line) is { } item)
            {
                yield return item;
            }
        }
    }

    /// <summary>The events and comment lines of a complete body, in order; comments as <c>(":comment", text)</c>.</summary>
    public static List<(string? Event, string Data)> ParseWithComments(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var parser = new SseLineParser();
        var items = new List<(string? Event, string Data)>();
        using var reader = new StringReader(body);
        while (reader.ReadLine() is { } line)
        {
            if (parser.Feed(line) is { } item)
            {
                items.Add(item);
            }
        }

        return items;
    }

    /// <summary>How many comment lines (<c>: …</c>) a body holds.</summary>
    public static int CountComments(string body) => ParseWithComments(body).Count(item => item.Event == CommentEvent);

    /// <summary>SseParser reports a missing <c>event:</c> field as "message"; report it as null.</summary>
    private static string? EventName(string eventType) => eventType == SseParser.EventTypeDefault ? null : eventType;
}
