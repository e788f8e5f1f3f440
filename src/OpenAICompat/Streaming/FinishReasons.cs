using AnyClaude.Abstractions.Messages;

namespace AnyClaude.OpenAICompat.Streaming;

internal static class FinishReasons
{
    public static string ToStopReason(string? finishReason, bool hasToolCalls) => finishReason switch
    {
        "length" => StopReasons.MaxTokens,
        "tool_calls" or "tool_call" or "function_call" => StopReasons.ToolUse,
        "content_filter" => StopReasons.Refusal,
        _ when hasToolCalls => StopReasons.ToolUse,
        _ => StopReasons.EndTurn,
    };
}
