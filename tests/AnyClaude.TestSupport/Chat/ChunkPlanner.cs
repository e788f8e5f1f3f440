namespace AnyClaude.TestSupport;

/// <summary>Turns a scripted completion into the chunks a given server flavor would stream.</summary>
internal static class ChunkPlanner
{
    /// <summary>Characters per reasoning or content chunk, so tests see many chunks.</summary>
    public const int TextPieceSize = 3;

    public static CompletionPlan Plan(ScriptedResponse script, ChatRequest request, FlavorDialect dialect)
    {
        var meta = new CompletionMeta(dialect.NewCompletionId(), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), dialect.ResponseModel(request.Model));
        var calls = script.Calls
            .Select((call, index) => new ResolvedToolCall(index, dialect.NewToolCallId(), call.Name, call.ArgumentsJson))
            .ToArray();

        var chunks = new List<PlannedChunk>();
        chunks.AddRange(TextSplitter.Split(script.Reasoning ?? "", TextPieceSize).Select(piece => new PlannedChunk(Reasoning: piece)));
        chunks.AddRange(TextSplitter.Split(script.Content, TextPieceSize).Select(piece => new PlannedChunk(Content: piece)));
        chunks.AddRange(calls.SelectMany(dialect.Fragment).Select(fragment => new PlannedChunk(ToolCall: fragment)));
        var outputChunks = chunks.Count;

        var finishReason = script.FinishReason;
        if (dialect.FinishReasonInOwnChunk || chunks.Count == 0)
        {
            chunks.Add(new PlannedChunk(FinishReason: finishReason));
        }
        else
        {
            chunks[^1] = chunks[^1] with { FinishReason = finishReason };
        }

        var usage = script.Usage is { } explicitUsage
            ? new UsageNumbers(explicitUsage.PromptTokens, explicitUsage.CompletionTokens, explicitUsage.CachedTokens)
            : new UsageNumbers(request.EstimatedPromptTokens, outputChunks, 0);

        return new CompletionPlan(meta, script.Reasoning, script.Content, calls, finishReason, chunks, usage);
    }
}
