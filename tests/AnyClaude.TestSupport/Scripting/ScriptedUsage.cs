namespace AnyClaude.TestSupport;

/// <summary>Explicit usage numbers for a scripted answer.</summary>
internal sealed record ScriptedUsage(int PromptTokens, int CompletionTokens, int CachedTokens);
