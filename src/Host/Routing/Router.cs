using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Host.Routing;

/// <summary>Classifies a request and picks its backend from the live routing table, once, at the start of the request.</summary>
internal sealed class Router(LiveRouting routing)
{
    public RoutedRequest Route(MessagesRequest request, bool countTokens)
    {
        var requestClass = RequestClassifier.Classify(request, countTokens);
        var table = routing.Current;
        var decision = table.Decide(new RouteInput(request, requestClass));
        return new RoutedRequest(request, requestClass, table, decision);
    }
}
