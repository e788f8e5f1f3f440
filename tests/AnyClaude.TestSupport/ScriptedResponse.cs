using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace AnyClaude.TestSupport;

/// <summary>
/// An immutable description of one answer to <c>POST /v1/chat/completions</c>. Build it with a factory
/// (<see cref="Text"/>, <see cref="ToolCalls"/>, <see cref="RawChunks"/>, <see cref="Error"/>,
/// <see cref="ServerError"/>, <see cref="ContextOverflow"/>) and refine it with the <c>With…</c> methods;
/// each returns a new instance. How it goes on the wire depends on the server's <see cref="ServerFlavor"/>.
/// </summary>
public sealed record ScriptedResponse
{
    private ScriptedResponse(ScriptedResponseKind kind) => Kind = kind;

    internal ScriptedResponseKind Kind { get; }

    internal string Content { get; private init; } = "";

    internal string? Reasoning { get; private init; }

    internal ImmutableArray<ScriptedToolCall> Calls { get; private init; } = [];

    internal string? FinishReasonOverride { get; private init; }

    internal ScriptedUsage? Usage { get; private init; }

    internal ImmutableArray<string> RawPayloads { get; private init; } = [];

    internal bool SendsDone { get; private init; } = true;

    internal int StatusCode { get; private init; } = 200;

    internal string ErrorBody { get; private init; } = "";

    internal string ErrorMessage { get; private init; } = "";

    internal int? OverflowPromptTokens { get; private init; }

    internal TimeSpan HeaderDelay { get; private init; }

    internal TimeSpan PrefillDelay { get; private init; }

    internal TimeSpan ChunkDelay { get; private init; }

    internal int? BreakAfter { get; private init; }

    internal bool Hangs { get; private init; }

    /// <summary>The finish_reason this answer ends with.</summary>
    internal string FinishReason => FinishReasonOverride ?? (Calls.IsEmpty ? "stop" : "tool_calls");

    /// <summary>Streamed as ~3-character content chunks, finish_reason <c>stop</c>.</summary>
    public static ScriptedResponse Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ScriptedResponse(ScriptedResponseKind.Completion) { Content = text };
    }

    /// <summary>
    /// Tool calls (finish_reason <c>tool_calls</c>), fragmented the way the flavor's server does it.
    /// <paramref name="calls"/> arguments are sent verbatim, so malformed JSON is possible on purpose.
    /// </summary>
    public static ScriptedResponse ToolCalls(params (string Name, string ArgumentsJson)[] calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Length == 0)
        {
            throw new ArgumentException("At least one tool call is needed.", nameof(calls));
        }

        return new ScriptedResponse(ScriptedResponseKind.Completion) { Calls = ToScripted(calls) };
    }

    /// <summary>Exactly these <c>data:</c> payloads (one frame each), then <c>data: [DONE]</c>. Sent as a stream even when the request did not ask for one.</summary>
    public static ScriptedResponse RawChunks(params string[] dataPayloads)
    {
        ArgumentNullException.ThrowIfNull(dataPayloads);
        return new ScriptedResponse(ScriptedResponseKind.Raw) { RawPayloads = [.. dataPayloads] };
    }

    /// <summary>That HTTP status with that raw body (<c>application/json</c>), whatever the flavor.</summary>
    public static ScriptedResponse Error(int status, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new ScriptedResponse(ScriptedResponseKind.HttpError) { StatusCode = status, ErrorBody = body };
    }

    /// <summary>
    /// An error in the flavor's own shape: MlxLm <c>{"error":"…"}</c>; LmStudio
    /// <c>{"error":{"message","type","param","code"}}</c>; Generic (llama.cpp) <c>{"error":{"code","message","type"}}</c>.
    /// </summary>
    public static ScriptedResponse ServerError(int status, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new ScriptedResponse(ScriptedResponseKind.ServerError) { StatusCode = status, ErrorMessage = message };
    }

    /// <summary>
    /// The flavor's context-overflow error (MlxLm 404 <c>{"error":"Prompt exceeds …"}</c>; LmStudio 400
    /// <c>{"error":"The number of tokens to keep from the initial prompt is greater than the context length …"}</c>;
    /// Generic 400 <c>exceed_context_size_error</c>). Prompt tokens default to request bytes / 4, the
    /// context size to <see cref="FakeServerOptions.ContextLength"/>.
    /// </summary>
    public static ScriptedResponse ContextOverflow(int? promptTokens = null) =>
        new(ScriptedResponseKind.ContextOverflow) { OverflowPromptTokens = promptTokens };

    /// <summary>Text sent before the tool calls (or replacing the text of a <see cref="Text"/> answer).</summary>
    public ScriptedResponse WithText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return RequireCompletion() with { Content = text };
    }

    /// <summary>Reasoning deltas before the content: <c>reasoning</c> (MlxLm, Generic) or <c>reasoning_content</c> (LmStudio).</summary>
    public ScriptedResponse WithReasoning(string reasoning)
    {
        ArgumentNullException.ThrowIfNull(reasoning);
        return RequireCompletion() with { Reasoning = reasoning };
    }

    /// <summary>Adds tool calls after the text; the default finish_reason becomes <c>tool_calls</c>.</summary>
    public ScriptedResponse WithToolCalls(params (string Name, string ArgumentsJson)[] calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        return RequireCompletion() with { Calls = Calls.AddRange(ToScripted(calls)) };
    }

    /// <summary>Overrides the finish_reason (e.g. <c>length</c>, <c>content_filter</c>, <c>tool_call</c> as old mlx-lm sent it).</summary>
    public ScriptedResponse WithFinishReason(string finishReason)
    {
        ArgumentNullException.ThrowIfNull(finishReason);
        return RequireCompletion() with { FinishReasonOverride = finishReason };
    }

    /// <summary>Usage numbers reported (in the stream only when the request asked for <c>stream_options.include_usage</c>).</summary>
    public ScriptedResponse WithUsage(int promptTokens, int completionTokens, int cachedTokens = 0) =>
        RequireCompletion() with { Usage = new ScriptedUsage(promptTokens, completionTokens, cachedTokens) };

    /// <summary>Ends the stream without <c>data: [DONE]</c>.</summary>
    public ScriptedResponse WithoutDone() =>
        Kind is ScriptedResponseKind.Completion or ScriptedResponseKind.Raw
            ? this with { SendsDone = false }
            : throw NotApplicable(nameof(WithoutDone));

    /// <summary>Waits this long before sending the response headers (applies to errors too).</summary>
    public ScriptedResponse WithHeaderDelay(TimeSpan delay) => this with { HeaderDelay = NonNegative(delay) };

    /// <summary>Waits this long after the headers, before the first chunk. MlxLm sends <c>: keepalive N/M</c> comments every 200 ms meanwhile; LlamaCpp, asked with <c>return_progress</c>, <c>prompt_progress</c> chunks (at least one).</summary>
    public ScriptedResponse WithPrefillDelay(TimeSpan delay) => RequireStream() with { PrefillDelay = NonNegative(delay) };

    /// <summary>Waits this long between two chunks.</summary>
    public ScriptedResponse WithChunkDelay(TimeSpan delay) => RequireStream() with { ChunkDelay = NonNegative(delay) };

    /// <summary>
    /// After <paramref name="chunks"/> <c>data:</c> frames (usage chunk included), waits 100 ms so the client can read
    /// them, then aborts the connection (<c>HttpContext.Abort()</c>, a reset). 0 breaks right after the headers; a number
    /// at least the frame count breaks before <c>[DONE]</c>. For a non-streaming request the break comes after the headers.
    /// </summary>
    public ScriptedResponse BreakAfterChunks(int chunks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunks);
        return RequireStream() with { BreakAfter = chunks };
    }

    /// <summary>Sends the headers, then nothing until the client goes away (or the server is disposed).</summary>
    public ScriptedResponse Hang() => RequireStream() with { Hangs = true };

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder("ScriptedResponse ").Append(Kind);
        switch (Kind)
        {
            case ScriptedResponseKind.Completion:
                text.Append(CultureInfo.InvariantCulture, $" text={Content.Length} chars, reasoning={Reasoning?.Length ?? 0} chars, ")
                    .Append(CultureInfo.InvariantCulture, $"tool calls=[{string.Join(", ", Calls.Select(c => c.Name))}], finish={FinishReason}");
                break;
            case ScriptedResponseKind.Raw:
                text.Append(CultureInfo.InvariantCulture, $" {RawPayloads.Length} payloads");
                break;
            case ScriptedResponseKind.HttpError or ScriptedResponseKind.ServerError:
                text.Append(CultureInfo.InvariantCulture, $" {StatusCode}");
                break;
            case ScriptedResponseKind.ContextOverflow:
                break;
        }

        return text.ToString();
    }

    private ScriptedResponse RequireCompletion([System.Runtime.CompilerServices.CallerMemberName] string method = "") =>
        Kind == ScriptedResponseKind.Completion ? this : throw NotApplicable(method);

    private ScriptedResponse RequireStream([System.Runtime.CompilerServices.CallerMemberName] string method = "") =>
        Kind is ScriptedResponseKind.Completion or ScriptedResponseKind.Raw ? this : throw NotApplicable(method);

    private InvalidOperationException NotApplicable(string method) =>
        new($"{method} does not apply to a {Kind} response.");

    private static TimeSpan NonNegative(TimeSpan delay) =>
        delay >= TimeSpan.Zero ? delay : throw new ArgumentOutOfRangeException(nameof(delay), delay, "A delay cannot be negative.");

    private static ImmutableArray<ScriptedToolCall> ToScripted((string Name, string ArgumentsJson)[] calls) =>
        [.. calls.Select(c => new ScriptedToolCall(
            c.Name ?? throw new ArgumentException("A tool call needs a name.", nameof(calls)),
            c.ArgumentsJson ?? throw new ArgumentException("A tool call needs arguments (\"{}\" for none).", nameof(calls))))];
}
