namespace AnyClaude.TestSupport;

/// <summary>Identity of one answer, shared by all its chunks.</summary>
internal sealed record CompletionMeta(string Id, long Created, string Model);

/// <summary>A tool call with the id the flavor's server gave it.</summary>
internal sealed record ResolvedToolCall(int Index, string Id, string Name, string Arguments);

/// <summary>One <c>delta.tool_calls[]</c> entry; id and name only on a call's first fragment.</summary>
internal sealed record ToolCallFragment(int Index, string? Id, string? Name, string? Arguments);

/// <summary>One chat-completion chunk before serialization; all-null fields mean an empty delta.</summary>
internal sealed record PlannedChunk(
    string? Reasoning = null,
    string? Content = null,
    ToolCallFragment? ToolCall = null,
    string? FinishReason = null);

/// <summary>Token counts reported for one answer.</summary>
internal readonly record struct UsageNumbers(int PromptTokens, int CompletionTokens, int CachedTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>Everything needed to send one scripted answer, streamed or not.</summary>
internal sealed record CompletionPlan(
    CompletionMeta Meta,
    string? Reasoning,
    string Content,
    IReadOnlyList<ResolvedToolCall> ToolCalls,
    string FinishReason,
    IReadOnlyList<PlannedChunk> Chunks,
    UsageNumbers Usage);
