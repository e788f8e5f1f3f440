using System.Text.Json;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Responses;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.OpenAICompat.Streaming;

/// <summary>
/// Turns Chat Completions stream chunks into Anthropic content events: text, thinking (from
/// <c>reasoning</c> or <c>reasoning_content</c>, closed by a signature), tool calls, the stop reason and usage.
/// Blocks never interleave and indexes count up from 0. <c>&lt;think&gt;</c> tags in the content and stop sequences
/// are response steps (<c>think-tags</c>, <c>stop-sequences</c>), so they apply to every backend kind.
/// </summary>
public sealed class ChatStreamTranslator
{
    /// <summary>Local servers have no Anthropic signature to give; a fixed one keeps thinking blocks well-formed.</summary>
    public const string ThinkingSignature = ResponseBlockWriter.ThinkingSignature;

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly ToolCallAccumulator _toolCalls = new();
    private readonly int _estimatedInputTokens;
    private List<MessageStreamEvent> _output = [];
    private OpenBlock _open;
    private int _nextIndex;
    private string? _finishReason;
    private ChatUsage? _usage;
    private ChatTimings? _timings;
    private int _deltaChunks;

    public ChatStreamTranslator(int estimatedInputTokens) => _estimatedInputTokens = estimatedInputTokens;

    private enum OpenBlock { None, Text, Thinking }

    public bool SawFinishReason => _finishReason is not null;

    /// <summary>Problems worth a warning in the log (malformed tool arguments, …).</summary>
    public List<string> Warnings { get; } = [];

    public void OnChunk(ChatChunk chunk, List<MessageStreamEvent> output)
    {
        _output = output;
        if (chunk.Error is { } error)
        {
            throw new AnthropicException(AnthropicErrorTypes.Api, $"the backend reported an error mid-stream: {ErrorText(error)}");
        }

        if (chunk.Usage is { } usage)
        {
            _usage = usage;
        }

        if (chunk.Timings is { } timings)
        {
            _timings = timings;
        }

        if (chunk.Choices is not { Count: > 0 } choices)
        {
            return;
        }

        var choice = choices[0];
        if (choice.FinishReason is { } finishReason)
        {
            _finishReason = finishReason;
        }

        if (choice.Delta is not { } delta)
        {
            return;
        }

        bool any = false;
        if ((string.IsNullOrEmpty(delta.Reasoning) ? delta.ReasoningContent : delta.Reasoning) is { Length: > 0 } reasoning)
        {
            EmitThinking(reasoning);
            any = true;
        }

        if (delta.Content is { Length: > 0 } content)
        {
            EmitText(content);
            any = true;
        }

        if (delta.ToolCalls is { Count: > 0 } toolCalls)
        {
            foreach (var fragment in toolCalls)
            {
                _toolCalls.Add(fragment);
            }

            any = true;
        }

        if (any)
        {
            _deltaChunks++;
        }
    }

    /// <summary>Ends the message: emits the tool calls, the stop reason and the usage.</summary>
    public void Complete(List<MessageStreamEvent> output)
    {
        _output = output;
        CloseOpenBlock();
        bool hasToolCalls = false;
        foreach (var call in _toolCalls.Complete(Warnings))
        {
            int index = _nextIndex++;
            output.Add(new ContentBlockStartEvent(index, new ToolUseBlock { Id = call.Id, Name = call.Name, Input = EmptyObject }));
            output.Add(new ContentBlockDeltaEvent(index, new InputJsonDelta(call.ArgumentsJson)));
            output.Add(new ContentBlockStopEvent(index));
            hasToolCalls = true;
        }

        string stopReason = FinishReasons.ToStopReason(_finishReason, hasToolCalls);
        output.Add(new MessageDeltaEvent(new MessageDelta(stopReason, null), BuildUsage()));
        output.Add(MessageStopEvent.Instance);
    }

    /// <summary>llama.cpp's timings of this answer, when it sent them (its generation speed, for logs).</summary>
    public ChatTimings? Timings => _timings;

    /// <summary>
    /// The usage the server reported; the cached prompt tokens from <c>prompt_tokens_details.cached_tokens</c>, else from
    /// llama.cpp's <c>timings.cache_n</c> (builds without <c>prompt_tokens_details</c>); without any usage, llama.cpp's
    /// timings alone, else the estimate.
    /// </summary>
    private Usage BuildUsage()
    {
        if (_usage is not { } usage)
        {
            if (_timings is { CacheN: { } cacheN, PromptN: { } promptN })
            {
                return new Usage
                {
                    InputTokens = Math.Max(promptN, 0),
                    OutputTokens = _timings.PredictedN ?? _deltaChunks,
                    CacheReadInputTokens = Math.Max(cacheN, 0),
                };
            }

            return new Usage { InputTokens = _estimatedInputTokens, OutputTokens = _deltaChunks };
        }

        int cached = Math.Clamp(usage.PromptTokensDetails?.CachedTokens ?? _timings?.CacheN ?? 0, 0, usage.PromptTokens);
        return new Usage
        {
            InputTokens = usage.PromptTokens - cached,
            OutputTokens = usage.CompletionTokens,
            CacheReadInputTokens = cached,
        };
    }

    private void EmitText(string text)
    {
        Open(OpenBlock.Text);
        _output.Add(new ContentBlockDeltaEvent(_nextIndex - 1, new TextDelta(text)));
    }

    private void EmitThinking(string thinking)
    {
        Open(OpenBlock.Thinking);
        _output.Add(new ContentBlockDeltaEvent(_nextIndex - 1, new ThinkingDelta(thinking)));
    }

    private void Open(OpenBlock kind)
    {
        if (_open == kind)
        {
            return;
        }

        CloseOpenBlock();
        ContentBlock block = kind == OpenBlock.Text ? new TextBlock() : new ThinkingBlock();
        _output.Add(new ContentBlockStartEvent(_nextIndex++, block));
        _open = kind;
    }

    private void CloseOpenBlock()
    {
        if (_open == OpenBlock.None)
        {
            return;
        }

        int index = _nextIndex - 1;
        if (_open == OpenBlock.Thinking)
        {
            _output.Add(new ContentBlockDeltaEvent(index, new SignatureDelta(ThinkingSignature)));
        }

        _output.Add(new ContentBlockStopEvent(index));
        _open = OpenBlock.None;
    }

    internal static string ErrorText(JsonElement error) => error.ValueKind switch
    {
        JsonValueKind.String => error.GetString()!,
        JsonValueKind.Object when error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String => message.GetString()!,
        _ => error.GetRawText(),
    };
}
