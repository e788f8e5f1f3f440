using AnyClaude.Host.Proxy.Routing;

namespace AnyClaude.Host.Proxy.Telemetry;

/// <summary>
/// Told of every finished <c>/v1/messages</c> request, once, with what <c>anyclaude status</c> shows of it (the recent
/// requests, the metrics, the estimate's calibration). A new consumer of finished requests is one more registration.
/// </summary>
internal interface IRequestListener
{
    void OnCompleted(RoutedRequest routed, RequestOutcome outcome);
}
