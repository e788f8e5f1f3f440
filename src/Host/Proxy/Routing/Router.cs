using AnyClaude.Abstractions.Messages;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Proxy.Routing;

/// <summary>Classifies a request and picks its backend from the live routing table, once, at the start of the request.</summary>
internal sealed class Router(LiveRouting routing)
{
    public RoutedRequest Route(MessagesRequest request, bool countTokens, ClaudeCodeHints? hints = null)
    {
        hints ??= ClaudeCodeHints.None;
        var classification = RequestClassifier.Classify(request, countTokens, hints);
        var table = routing.Current;
        var decision = table.Decide(new RouteInput(request, classification.Class));
        // The agent id keys a subagent's own cache (and its compaction's). Other requests keep the key of the prefix they
        // carry: an auxiliary fork of the conversation (memory extraction) shares the conversation's prefix and slot.
        string? agentId = classification.Class is RequestClass.Subagent or RequestClass.Compaction ? hints.AgentId : null;
        return new RoutedRequest(request, classification, table, decision) { AgentId = agentId };
    }
}
