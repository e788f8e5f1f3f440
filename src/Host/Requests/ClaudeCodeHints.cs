using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Requests;

/// <summary>
/// What Claude Code 2.1.337 says about a request in its own headers (with <c>CLAUDE_CODE_GATEWAY_HINT_HEADERS=1</c>,
/// protocol.md 1b): <c>x-claude-code-request-class</c> (<c>main</c>, <c>subagent</c>, <c>auxiliary</c>,
/// <c>compaction</c>, <c>workflow</c>), <c>x-claude-code-agent-type</c>, <c>x-claude-code-auxiliary-type</c>, and a
/// subagent's <c>x-claude-code-agent-id</c>. Values that are not short plain names are ignored: they end up in log
/// lines and metrics tags.
/// </summary>
internal sealed record ClaudeCodeHints(string? RequestClass, string? AgentType, string? AuxiliaryType, string? AgentId)
{
    public const string RequestClassHeader = "x-claude-code-request-class";
    public const string AgentTypeHeader = "x-claude-code-agent-type";
    public const string AuxiliaryTypeHeader = "x-claude-code-auxiliary-type";
    public const string AgentIdHeader = "x-claude-code-agent-id";

    private const int LongestName = 64;

    public static ClaudeCodeHints None { get; } = new(null, null, null, null);

    public static ClaudeCodeHints From(IHeaderDictionary headers)
    {
        string? requestClass = Name(headers, RequestClassHeader);
        string? agentType = Name(headers, AgentTypeHeader);
        string? auxiliaryType = Name(headers, AuxiliaryTypeHeader);
        string? agentId = Name(headers, AgentIdHeader);
        return requestClass is null && agentType is null && auxiliaryType is null && agentId is null
            ? None
            : new ClaudeCodeHints(requestClass?.ToLowerInvariant(), agentType, auxiliaryType?.ToLowerInvariant(), agentId);
    }

    private static string? Name(IHeaderDictionary headers, string header)
    {
        if (!headers.TryGetValue(header, out var values) || values.Count != 1 || values[0] is not { Length: > 0 and <= LongestName } value)
        {
            return null;
        }

        foreach (char c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return null;
            }
        }

        return value;
    }
}
