namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A real fake server of one backend kind that can be scripted to answer the first turn with a Write tool call and the
/// next with a final text, each in that server's own wire format.
/// </summary>
internal interface IKindFake : IAsyncDisposable
{
    /// <summary>The kind's name as anyclaude knows it (<c>mlx-lm</c>, <c>ollama</c>, ...).</summary>
    string Kind { get; }

    /// <summary>The URL the kind's default backend is pointed at (its <c>…_URL</c> variable).</summary>
    Uri Url { get; }

    /// <summary>The id the scripted Write call carries, where the script sets it (null where the fake numbers its own calls).</summary>
    string? ScriptedCallId { get; }

    /// <summary>Model turns the server has received on its generation endpoint.</summary>
    int TurnCount { get; }

    /// <summary>Answers the next turn with a short text and a Write call for <paramref name="path"/>, the one after with <paramref name="finalText"/>.</summary>
    void ScriptWrite(string path, string content, string finalText);

    /// <summary>The tool result the given turn carried back, as the server received it.</summary>
    ToolResultSeen ToolResultOf(int turn);
}

/// <summary>A tool result as a backend's request carried it: which call it answers, its text, whether it was marked failed.</summary>
internal sealed record ToolResultSeen(string CallId, string Text, bool IsError);
