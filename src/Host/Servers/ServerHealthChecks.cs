using AnyClaude.Abstractions.Backends;

namespace AnyClaude.Host.Servers;

/// <summary>
/// The question a <see cref="ServerSupervisor"/> asks until a server it started is ready: an answer of true means
/// "serving". A server answers its port well before its model is loaded, so the check must be one that says loaded.
/// </summary>
internal static class ServerHealthChecks
{
    /// <summary>
    /// The kind's own readiness check: llama-server's <c>GET /health</c> (503 while the model loads, 200 after) at
    /// the URL's root; for any other kind <c>GET {url}/models</c> (mlx-lm, LM Studio, vLLM: the server lists models
    /// only once it serves).
    /// </summary>
    public static Func<CancellationToken, Task<bool>> For(string kind, Uri url, HttpClient http) =>
        kind.Equals("llama-cpp", StringComparison.OrdinalIgnoreCase)
            ? Get(new Uri(url, "/health"), http)
            : Get(new Uri(url.AbsoluteUri.TrimEnd('/') + "/models"), http);

    /// <summary>A 2xx answer to <c>GET address</c>.</summary>
    public static Func<CancellationToken, Task<bool>> Get(Uri address, HttpClient http) =>
        async cancellationToken =>
        {
            using var response = await http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        };

    /// <summary>The backend plugin's own health check (<see cref="IBackend.CheckHealthAsync"/>).</summary>
    public static Func<CancellationToken, Task<bool>> Of(IBackend backend) =>
        async cancellationToken => (await backend.CheckHealthAsync(cancellationToken).ConfigureAwait(false)).IsHealthy;
}
