using System.Text.Json;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Abstractions.Responses;

/// <summary>
/// The output side of a <see cref="HeldTextTransform"/>: opens and closes blocks, numbers them from 0 in the order
/// they go out (whatever the upstream indexes were), and remembers whether a tool call was made, for
/// <c>stop_reason</c>. Whitespace-only text is not given a block of its own next to a tool call.
/// </summary>
public sealed class ResponseBlockWriter
{
    /// <summary>Local servers have no Anthropic signature to give; a fixed one keeps thinking blocks well-formed.</summary>
    internal const string ThinkingSignature = "anyclaude-local";

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly List<MessageStreamEvent> _events = [];
    private Open _open;
    private int _openIndex = -1;
    private int _next;
    private string _pendingBlank = "";
    private int _callsInBlock;

    private enum Open { None, Text, Thinking, Passed }

    /// <summary>Tool calls made by this writer (text turned into <c>tool_use</c>) or passed through from upstream.</summary>
    public int ToolCalls { get; private set; }

    /// <summary>True while the current text block has released nothing but whitespace since it began or since the last tool call.</summary>
    public bool AtBlockStart { get; private set; } = true;

    /// <summary>True while no text but whitespace has been released in this answer.</summary>
    public bool AtAnswerStart { get; private set; } = true;

    /// <summary>The stop sequence that ended the answer (<see cref="StopAt"/>), or null.</summary>
    public string? StoppedBy { get; private set; }

    /// <summary>
    /// Ends the answer here: the step reads no more from upstream (which cancels the upstream read), closes the open
    /// block, and ends with <c>stop_reason</c> <c>stop_sequence</c> naming <paramref name="stopSequence"/>.
    /// </summary>
    public void StopAt(string stopSequence) => StoppedBy ??= stopSequence;

    /// <summary>Releases thinking into the current thinking block (opening one, closed with a signature); whitespace held before it is dropped.</summary>
    public void Thinking(ReadOnlySpan<char> thinking)
    {
        if (thinking.IsEmpty)
        {
            return;
        }

        if (_open != Open.Thinking)
        {
            CloseOpen();
            _pendingBlank = "";
            _openIndex = _next++;
            _open = Open.Thinking;
            _events.Add(new ContentBlockStartEvent(_openIndex, new ThinkingBlock()));
        }

        _events.Add(new ContentBlockDeltaEvent(_openIndex, new ThinkingDelta(thinking.ToString())));
    }

    /// <summary>Releases text into the current text block (opening one when needed).</summary>
    public void Text(string text) => Text(text, null);

    public void Text(ReadOnlySpan<char> text)
    {
        if (!text.IsEmpty)
        {
            Text(text.ToString(), null);
        }
    }

    /// <summary>Emits one complete <c>tool_use</c> block; <paramref name="inputJson"/> must be a JSON object.</summary>
    public void ToolUse(string name, string inputJson, string? id = null)
    {
        CloseOpen();
        _pendingBlank = "";
        int index = _next++;
        _events.Add(new ContentBlockStartEvent(index, new ToolUseBlock { Id = id ?? NewToolUseId(), Name = name, Input = EmptyObject }));
        _events.Add(new ContentBlockDeltaEvent(index, new InputJsonDelta(inputJson)));
        _events.Add(new ContentBlockStopEvent(index));
        ToolCalls++;
        _callsInBlock++;
        AtBlockStart = true;
    }

    /// <summary>An id in Anthropic's shape (<c>toolu_</c> and 24 letters or digits).</summary>
    public static string NewToolUseId() => "toolu_" + Guid.NewGuid().ToString("N")[..24];

    internal void Text(string text, ContentBlockDeltaEvent? original)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (_open != Open.Text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                _pendingBlank += text;
                return;
            }

            CloseOpen();
            _openIndex = _next++;
            _open = Open.Text;
            _events.Add(new ContentBlockStartEvent(_openIndex, new TextBlock()));
            if (_pendingBlank.Length > 0)
            {
                text = _pendingBlank + text;
                _pendingBlank = "";
                original = null;
            }
        }

        if (AtBlockStart && !string.IsNullOrWhiteSpace(text))
        {
            AtBlockStart = false;
            AtAnswerStart = false;
        }

        _events.Add(original is not null && original.Index == _openIndex ? original : new ContentBlockDeltaEvent(_openIndex, new TextDelta(text)));
    }

    internal void BeginUpstreamText()
    {
        _callsInBlock = 0;
        AtBlockStart = true;
    }

    /// <summary>The upstream text block ended: whitespace held back is released unless a tool call came out of this block.</summary>
    internal void EndUpstreamText()
    {
        if (_pendingBlank.Length > 0 && _callsInBlock == 0)
        {
            string blank = _pendingBlank;
            _pendingBlank = "";
            CloseOpen();
            _openIndex = _next++;
            _open = Open.Text;
            _events.Add(new ContentBlockStartEvent(_openIndex, new TextBlock()));
            _events.Add(new ContentBlockDeltaEvent(_openIndex, new TextDelta(blank)));
        }

        _pendingBlank = "";
        CloseOpen();
    }

    internal void PassStart(ContentBlockStartEvent start)
    {
        CloseOpen();
        _openIndex = _next++;
        _open = Open.Passed;
        if (start.ContentBlock is ToolUseBlock)
        {
            ToolCalls++;
        }

        _events.Add(start.Index == _openIndex ? start : new ContentBlockStartEvent(_openIndex, start.ContentBlock));
    }

    internal void PassDelta(ContentBlockDeltaEvent delta) =>
        _events.Add(delta.Index == _openIndex ? delta : new ContentBlockDeltaEvent(_openIndex, delta.Delta));

    internal void PassStop(ContentBlockStopEvent stop)
    {
        if (_open == Open.Passed)
        {
            _events.Add(stop.Index == _openIndex ? stop : new ContentBlockStopEvent(_openIndex));
            _open = Open.None;
        }
    }

    /// <summary><c>message_delta</c> with <c>stop_reason</c> <c>tool_use</c> when a call was made and the model simply stopped.</summary>
    internal void End(MessageDeltaEvent end)
    {
        CloseOpen();
        bool fix = ToolCalls > 0 && end.Delta.StopReason is null or StopReasons.EndTurn;
        _events.Add(fix ? new MessageDeltaEvent(new MessageDelta(StopReasons.ToolUse, null), end.Usage) : end);
    }

    internal void Add(MessageStreamEvent passed) => _events.Add(passed);

    internal void CloseOpen()
    {
        if (_open != Open.None)
        {
            if (_open == Open.Thinking)
            {
                _events.Add(new ContentBlockDeltaEvent(_openIndex, new SignatureDelta(ThinkingSignature)));
            }

            _events.Add(new ContentBlockStopEvent(_openIndex));
            _open = Open.None;
        }
    }

    /// <summary>The events written since the last call, in order; the list is reused, read it before writing again.</summary>
    internal List<MessageStreamEvent> Pending => _events;
}
