namespace AnyClaude.TestSupport;

/// <summary>One scripted tool call: name and the raw arguments string, sent verbatim.</summary>
internal sealed record ScriptedToolCall(string Name, string ArgumentsJson);
