using AnyClaude.Abstractions.Backends;

namespace AnyClaude.Host.Servers;

/// <summary>
/// The question a <see cref="ServerSupervisor"/> asks until a server it started is ready: an answer of true means
/// "serving". A server answers its port well before its model is loaded, so the check must be one that says loaded.
/// </summary>
internal static class ServerHealthChecks
{
    /// <summary>The kind's own readiness check: a 2xx answer to <c>GET</c> <see cref="AddressFor"/>.</summary>
    public static Func<CancellationToken, Task<bool>> For(string kind, Uri url, HttpClient http) => Get(AddressFor(kind, url), http);

    /// <summary>
    /// What says "serving" for a kind: llama-server's <c>/health</c> at the URL's root (503 while the model loads, 200
    /// after); Ollama's <c>/api/version</c> at its root; for any other server the model list, <c>{url}/models</c>
    /// (<c>{url}/v1/models</c> for a URL without <c>/v1</c>, as the <c>anthropic</c> kind's root), which mlx-lm, LM
    /// Studio and vLLM answer only once they serve.
    /// </summary>
    public static Uri AddressFor(string kind, Uri url)
    {
        if (kind.Equals("llama-cpp", StringComparison.OrdinalIgnoreCase))
        {
            return new Uri(url, "/health");
        }

        if (kind.Equals("ollama", StringComparison.OrdinalIgnoreCase))
        {
            return new Uri(url, "/api/version");
        }

        string path = url.AbsolutePath.TrimEnd('/');
        bool versioned = path.EndsWith("/v1", StringComparison.Ordinal);
        return new Uri(url, $"{path}{(versioned ? "" : "/v1")}/models");
    }

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
