using System.Text;
using System.Text.Json;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Abstractions.Streaming;

/// <summary>
/// Folds a message stream into the complete message. The non-streaming answer is built with it, so both
/// answers come from one code path. Throws <see cref="AnthropicException"/> on an <c>error</c> event.
/// </summary>
public sealed class MessageAccumulator
{
    // Deltas are appended to builders and copied into the blocks once, at the block's stop.
    private readonly Dictionary<int, StringBuilder> _pending = [];
    private readonly List<(int Index, ContentBlock Block)> _blocks = [];
    private MessageResponse? _message;

    public bool IsComplete { get; private set; }

    public MessageResponse Message => _message ?? throw new InvalidOperationException("no message_start was seen");

    public static async Task<MessageResponse> AccumulateAsync(IAsyncEnumerable<MessageStreamEvent> events, CancellationToken cancellationToken = default)
    {
        var accumulator = new MessageAccumulator();
        await foreach (var streamEvent in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            accumulator.Add(streamEvent);
        }

        return accumulator.Finish();
    }

    public void Add(MessageStreamEvent streamEvent)
    {
        switch (streamEvent)
        {
            case MessageStartEvent start:
                _message = start.Message;
                _message.Content = [];
                break;
            case ContentBlockStartEvent start:
                _blocks.Add((start.Index, CopyStartBlock(start.ContentBlock)));
                break;
            case ContentBlockDeltaEvent delta:
                ApplyDelta(BlockAt(delta.Index), delta);
                break;
            case ContentBlockStopEvent stop:
                CompleteBlock(stop.Index);
                break;
            case MessageDeltaEvent delta:
                Message.StopReason = delta.Delta.StopReason;
                Message.StopSequence = delta.Delta.StopSequence;
                MergeUsage(Message.Usage, delta.Usage);
                break;
            case MessageStopEvent:
                IsComplete = true;
                break;
            case ErrorEvent error:
                throw new AnthropicException(error.Error.Type, error.Error.Message);
        }
    }

    public MessageResponse Finish()
    {
        if (!IsComplete)
        {
            throw new AnthropicException(AnthropicErrorTypes.Api, "the backend's stream ended before the message was complete");
        }

        foreach (int index in _pending.Keys.ToList())
        {
            CompleteBlock(index);
        }

        Message.Content = [.. _blocks.OrderBy(b => b.Index).Select(b => b.Block)];
        return Message;
    }

    private ContentBlock BlockAt(int index)
    {
        foreach (var (blockIndex, block) in _blocks)
        {
            if (blockIndex == index)
            {
                return block;
            }
        }

        throw new AnthropicException(AnthropicErrorTypes.Api, $"stream delta for content block {index}, which was never started");
    }

    private void ApplyDelta(ContentBlock block, ContentBlockDeltaEvent delta)
    {
        switch (block, delta.Delta)
        {
            case (TextBlock, TextDelta d):
                PendingText(delta.Index).Append(d.Text);
                break;
            case (ThinkingBlock, ThinkingDelta d):
                PendingText(delta.Index).Append(d.Thinking);
                break;
            case (ThinkingBlock thinking, SignatureDelta d):
                thinking.Signature += d.Signature;
                break;
            case (ToolUseBlock, InputJsonDelta d):
                PendingText(delta.Index).Append(d.PartialJson);
                break;
            default:
                throw new AnthropicException(AnthropicErrorTypes.Api, $"a {delta.Delta.GetType().Name} does not fit a {block.Type} block");
        }
    }

    /// <summary>
    /// The delta's usage is cumulative, but Anthropic's own streams may send only <c>output_tokens</c> there: when it
    /// reports no prompt count at all, the prompt counts of <c>message_start</c> stand. A delta that reports any of them
    /// reports the prompt as a whole (an <c>input_tokens</c> of 0 with every token cached is a real zero, replacing the
    /// size <c>message_start</c> announced before the server answered).
    /// </summary>
    private static void MergeUsage(Usage target, Usage delta)
    {
        target.OutputTokens = delta.OutputTokens;
        if (delta.InputTokens > 0 || delta.CacheReadInputTokens > 0 || delta.CacheCreationInputTokens > 0)
        {
            target.InputTokens = delta.InputTokens;
            target.CacheReadInputTokens = delta.CacheReadInputTokens;
            target.CacheCreationInputTokens = delta.CacheCreationInputTokens;
        }
    }

    private StringBuilder PendingText(int index)
    {
        if (!_pending.TryGetValue(index, out var builder))
        {
            _pending[index] = builder = new StringBuilder();
        }

        return builder;
    }

    private void CompleteBlock(int index)
    {
        if (!_pending.Remove(index, out var pending))
        {
            return;
        }

        switch (BlockAt(index))
        {
            case TextBlock text:
                text.Text += pending.ToString();
                break;
            case ThinkingBlock thinking:
                thinking.Thinking += pending.ToString();
                break;
            case ToolUseBlock toolUse:
                toolUse.Input = ParseInput(pending.ToString(), toolUse.Name);
                break;
        }
    }

    private static ContentBlock CopyStartBlock(ContentBlock block) => block switch
    {
        TextBlock text => new TextBlock(text.Text),
        ThinkingBlock thinking => new ThinkingBlock { Thinking = thinking.Thinking, Signature = thinking.Signature },
        ToolUseBlock toolUse => new ToolUseBlock { Id = toolUse.Id, Name = toolUse.Name, Input = toolUse.Input },
        _ => block,
    };

    private static JsonElement ParseInput(string json, string toolName)
    {
        try
        {
            using var document = JsonDocument.Parse(json.Length == 0 ? "{}" : json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new AnthropicException(AnthropicErrorTypes.Api, $"the input of tool call '{toolName}' is not valid JSON");
        }
    }
}
