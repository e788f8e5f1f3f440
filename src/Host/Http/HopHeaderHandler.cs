namespace AnyClaude.Host.Http;

/// <summary>
/// Adds <see cref="HopHeader.Name"/> to every request a backend sends: it sits in the host's HttpClient of each
/// backend, so it covers every plugin that uses <c>BackendServices.HttpClient</c>.
/// </summary>
internal sealed class HopHeaderHandler(string backendName, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(HopHeader.Name);
        request.Headers.TryAddWithoutValidation(HopHeader.Name, HopHeader.Outgoing(backendName));
        return base.SendAsync(request, cancellationToken);
    }
}
