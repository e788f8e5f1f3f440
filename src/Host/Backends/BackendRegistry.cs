using System.Net;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Backends;

/// <summary>The configured backends, built by their plugins' factories, and the one requests go to.</summary>
internal sealed class BackendRegistry : IDisposable
{
    private readonly Dictionary<string, IBackend> _backends = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<HttpClient> _clients = [];

    public BackendRegistry(AnyClaudeOptions options, IReadOnlyCollection<IBackendFactory> factories, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        SelectedName = options.Mode;
        foreach (var (name, backend) in options.Backends)
        {
            var factory = factories.First(f => string.Equals(f.Kind, backend.Kind, StringComparison.OrdinalIgnoreCase));
            var client = CreateHttpClient(options.ConnectTimeout);
            _clients.Add(client);
            var settings = new BackendSettings
            {
                Name = name,
                Kind = backend.Kind,
                Url = backend.Url,
                ApiKey = backend.ApiKey,
                Model = backend.Model,
                MaxOutputTokens = backend.MaxOutputTokens,
                ContextLength = backend.ContextLength,
                SupportsImages = backend.SupportsImages,
                SupportsTools = backend.SupportsTools,
                Extra = backend.Extra,
            };
            _backends[name] = factory.Create(settings, new BackendServices(client, loggerFactory, timeProvider));
        }
    }

    public string SelectedName { get; }

    public IReadOnlyCollection<IBackend> All => _backends.Values;

    /// <summary>The backend requests go to; an error that names the configured ones if it does not exist.</summary>
    public IBackend Selected => _backends.TryGetValue(SelectedName, out var backend)
        ? backend
        : throw new AnthropicException(
            AnthropicErrorTypes.Api,
            $"no backend named '{SelectedName}' is configured (configured: {string.Join(", ", _backends.Keys)}); set ANYCLAUDE_MODE or --mode",
            statusCode: 502,
            shouldRetry: false);

    /// <summary>One pooled connection handler per backend: no overall timeout (a prefill can take minutes), a bounded connect.</summary>
    private static HttpClient CreateHttpClient(TimeSpan connectTimeout) =>
        new(new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
