using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Proxy.Cache;

/// <summary>
/// Claude Code's side requests that need no model, answered by the proxy: the session title (a
/// <c>{"title": …}</c> object made of the conversation's first words, which is what its <c>output_config.format</c>
/// schema asks for) and 2.1.197's topic detection (<c>{"isNewTopic": false, "title": null}</c>: keep the title).
/// Sending them to a single-slot server would evict the conversation's prompt from its cache. Never the safety
/// classifier: that is a security decision and always goes to a model.
/// </summary>
internal static partial class LocalSideAnswers
{
    public const string Strategy = "local-answer";

    /// <summary>What the log line and <c>anyclaude status</c> name as the backend of a request answered here.</summary>
    public const string Backend = "anyclaude";

    private const int TitleWords = 6;

    /// <summary>The answer's text when <paramref name="requestClass"/> is one the proxy answers itself; else null.</summary>
    public static string? TryAnswer(RequestClass requestClass, MessagesRequest request) => requestClass switch
    {
        RequestClass.Title => JsonSerializer.Serialize(new TitleAnswer(TitleOf(request)), LocalAnswerJson.Default.TitleAnswer),
        RequestClass.Topic => """{"isNewTopic":false,"title":null}""",
        _ => null,
    };

    /// <summary>The first words of the conversation's text, sentence-cased: <c>"Fix the failing test"</c>.</summary>
    internal static string TitleOf(MessagesRequest request)
    {
        var text = new StringBuilder();
        foreach (var message in request.Messages.Where(m => m.Role == MessageRoles.User))
        {
            foreach (var block in message.Content.OfType<TextBlock>())
            {
                text.Append(block.Text).Append(' ');
            }
        }

        // Claude Code wraps the conversation in <session>…</session> and adds <system-reminder>s: neither is its words.
        string plain = Tag().Replace(Reminder().Replace(text.ToString(), " "), " ");
        var words = Word().Matches(plain).Select(m => m.Value).Take(TitleWords).ToList();
        if (words.Count == 0)
        {
            return "New session";
        }

        string title = string.Join(' ', words).TrimEnd('.', ',', ':', ';', '!', '?');
        return title.Length == 0 ? "New session" : char.ToUpperInvariant(title[0]) + title[1..];
    }

    /// <summary>The answer as a stream: one text block, usage counting nothing (no model read the prompt).</summary>
    public static async IAsyncEnumerable<MessageStreamEvent> StreamAsync(string answer, string model, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        yield return new MessageStartEvent(new MessageResponse { Id = $"msg_local_{Guid.NewGuid():N}", Model = model });
        yield return new ContentBlockStartEvent(0, new TextBlock(""));
        yield return new ContentBlockDeltaEvent(0, new TextDelta(answer));
        yield return new ContentBlockStopEvent(0);
        yield return new MessageDeltaEvent(new MessageDelta(StopReasons.EndTurn, null), new Usage { OutputTokens = 1 });
        yield return new MessageStopEvent();
    }

    [GeneratedRegex(@"<system-reminder>.*?</system-reminder>", RegexOptions.Singleline)]
    private static partial Regex Reminder();

    [GeneratedRegex(@"</?[A-Za-z][\w-]*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}'’\-_./]*")]
    private static partial Regex Word();
}

internal sealed record TitleAnswer([property: System.Text.Json.Serialization.JsonPropertyName("title")] string Title);

[System.Text.Json.Serialization.JsonSerializable(typeof(TitleAnswer))]
internal sealed partial class LocalAnswerJson : System.Text.Json.Serialization.JsonSerializerContext;
