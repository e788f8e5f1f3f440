namespace AnyClaude.TestSupport.NativeServers;

/// <summary>
/// One scripted answer of a native-API fake (<see cref="FakeOllamaServer"/>, <see cref="FakeAnthropicServer"/>): the
/// parts of the assistant's turn in order, how it ended, the counts, or a failure.
/// </summary>
public sealed record NativeReply
{
    public IReadOnlyList<NativePart> Parts { get; init; } = [];

    /// <summary>The server's own end reason (Ollama <c>done_reason</c>, Anthropic <c>stop_reason</c>); null picks the usual one.</summary>
    public string? EndReason { get; init; }

    public int InputTokens { get; init; } = 42;

    public int OutputTokens { get; init; } = 7;

    /// <summary>Cached prompt tokens, for servers that report them (Anthropic <c>cache_read_input_tokens</c>).</summary>
    public int? CachedTokens { get; init; }

    /// <summary>An HTTP error answer instead of a stream: the status and the exact body.</summary>
    public (int Status, string Body)? HttpError { get; init; }

    /// <summary>An error written into the stream after the first part (Ollama: an <c>{"error"}</c> line; Anthropic: <c>event: error</c>).</summary>
    public string? StreamErrorMessage { get; init; }

    /// <summary>Cut the connection after the first part, without an end.</summary>
    public bool CutAfterFirstPart { get; init; }

    public static NativeReply Text(string text) => new() { Parts = [new NativePart.Text(text)] };

    public static NativeReply Error(int status, string body) => new() { HttpError = (status, body) };
}

/// <summary>A piece of the assistant's turn.</summary>
public abstract record NativePart
{
    public sealed record Text(string Value) : NativePart;

    public sealed record Thinking(string Value, string Signature = "") : NativePart;

    /// <summary>A tool call; <paramref name="ArgumentsJson"/> is a JSON object.</summary>
    public sealed record ToolCall(string Id, string Name, string ArgumentsJson) : NativePart;
}
