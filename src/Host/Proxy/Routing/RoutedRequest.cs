using AnyClaude.Abstractions.Messages;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Proxy.Routing;

/// <summary>
/// One request's routing, worked out once: its class, its conversation key, the table it was routed with and the
/// route's decision, then the backend (and model) that is answering, which the attempt runner moves on a fallback.
/// </summary>
internal sealed class RoutedRequest
{
    private readonly MessagesRequest _request;
    private string? _conversationKey;
    private string? _affinityKey;

    public RoutedRequest(MessagesRequest request, Classification classification, RoutingTable table, RouteDecision decision)
    {
        _request = request;
        Class = classification.Class;
        ClassName = classification.Name;
        Table = table;
        Decision = decision;
        Backend = decision.Backend;
        Model = decision.Model;
        RequestedModel = request.Model;
    }

    public RequestClass Class { get; }

    /// <summary>The class as shown (log line, status, dashboard, metrics), with its kind when Claude Code named one: <c>auxiliary/memory</c>.</summary>
    public string ClassName { get; }

    /// <summary>A subagent's (or its compaction's) <c>x-claude-code-agent-id</c>, when Claude Code sent one: it keys the subagent's own cache.</summary>
    public string? AgentId { get; init; }

    public RoutingTable Table { get; }

    public RouteDecision Decision { get; }

    public string RequestedModel { get; }

    /// <summary>Session id or prefix hash (<see cref="ConversationKey"/>), computed on first use.</summary>
    public string ConversationKey => _conversationKey ??= Requests.ConversationKey.Of(_request);

    /// <summary>The conversation for cache affinity and per-conversation sums (<see cref="ConversationKey.AffinityOf"/>): a subagent is its own.</summary>
    public string AffinityKey => _affinityKey ??= Requests.ConversationKey.AffinityOf(_request, AgentId);

    /// <summary>Claude Code's version from its <c>User-Agent</c> (<c>claude-cli/2.1.337</c>); null for another client.</summary>
    public string? ClaudeCodeVersion { get; set; }

    /// <summary>The backend answering now (the route's, or a fallback).</summary>
    public string Backend { get; set; }

    /// <summary>The upstream model, once known: the route's choice, else what the backend resolved.</summary>
    public string? Model { get; set; }

    /// <summary>
    /// How the request kept (or did not need) the conversation's cache: <c>local-answer</c>, <c>slot N</c>,
    /// <c>affinity</c>, … (<c>anyclaude status</c> and the log line show it); null until known.
    /// </summary>
    public string? Strategy { get; set; }

    /// <summary>The prompt's size as counted for its backend and where the figure came from, when it was counted.</summary>
    public Abstractions.Backends.TokenCount? PromptTokens { get; set; }
}
