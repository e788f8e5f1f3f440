using Microsoft.Extensions.Logging;

namespace AnyClaude.Abstractions.Backends;

/// <summary>Host services a backend is built with: a pooled HTTP client configured for it, and logging.</summary>
public sealed class BackendServices
{
    public BackendServices(HttpClient httpClient, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        HttpClient = httpClient;
        LoggerFactory = loggerFactory;
        TimeProvider = timeProvider;
    }

    /// <summary>Shared by all requests to this backend; no overall timeout (a local prefill can take minutes).</summary>
    public HttpClient HttpClient { get; }

    public ILoggerFactory LoggerFactory { get; }

    public TimeProvider TimeProvider { get; }
}
