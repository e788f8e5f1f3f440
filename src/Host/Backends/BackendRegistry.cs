using System.Net;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;
using AnyClaude.Host.Plugins;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Backends;

/// <summary>
/// The configured backends, built by their plugins' factories, and the one requests go to. When the plugin
/// catalog changes, a backend whose factory changed is recreated from its configuration and one whose kind is no
/// longer provided answers with an error naming the missing plugin. A request takes its backend once
/// (<see cref="Selected"/>) and keeps it, so a stream that started on old plugin code finishes on it.
/// </summary>
internal sealed partial class BackendRegistry : IDisposable
{
    private readonly Lock _gate = new();
    private AnyClaudeOptions _options; // replaced by Reconfigure
    private readonly IPluginCatalogSource _plugins;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    // One pooled client per configured backend for the registry's lifetime: backends come and go with their
    // plugins, connections (and requests still streaming on a replaced backend) stay.
    private readonly Dictionary<string, HttpClient> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _lastProviders = new(StringComparer.OrdinalIgnoreCase);
    private Dictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);

    // Each pool's state by destination URL, kept across the reloads that recreate its backend.
    private readonly Dictionary<string, PoolState> _pools = new(StringComparer.OrdinalIgnoreCase);

    public BackendRegistry(AnyClaudeOptions options, IReadOnlyCollection<IBackendFactory> factories, ILoggerFactory loggerFactory, TimeProvider timeProvider)
        : this(options, new FixedCatalogSource(PluginCatalog.FromFactories(factories)), loggerFactory, timeProvider)
    {
    }

    public BackendRegistry(AnyClaudeOptions options, IPluginCatalogSource plugins, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        _options = options;
        _plugins = plugins;
        _loggerFactory = loggerFactory;
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger("AnyClaude.Backends");
        SelectedName = options.Mode;
        Rebuild(plugins.Current);
        plugins.Changed += Rebuild;
    }

    public string SelectedName { get; }

    /// <summary>The backends that exist now (those whose kind is provided).</summary>
    public IReadOnlyCollection<IBackend> All => Volatile.Read(ref _entries).Values.Select(e => e.Backend).OfType<IBackend>().ToList();

    /// <summary>
    /// The start-up default (<c>mode</c>), for the start-up line; requests take their backend from the router
    /// (<see cref="Router"/>), which follows live changes of the default.
    /// </summary>
    public IBackend Selected => Get(SelectedName);

    /// <summary>The start-up default, or null and why not (start-up reports it and serves on; requests get the reason).</summary>
    public IBackend? TrySelect(out string? problem) => TryGet(SelectedName, out problem);

    /// <summary>The backend named <paramref name="name"/>; an error that names what is missing if it does not exist.</summary>
    public IBackend Get(string name) =>
        TryGet(name, out string? problem) ?? throw new AnthropicException(AnthropicErrorTypes.Api, problem!, statusCode: 502, shouldRetry: false);

    private IBackend? TryGet(string name, out string? problem)
    {
        var entries = Volatile.Read(ref _entries);
        if (!entries.TryGetValue(name, out var entry))
        {
            problem = $"no backend named '{name}' is configured (configured: {string.Join(", ", entries.Keys)}); set ANYCLAUDE_MODE or --mode";
            return null;
        }

        problem = entry.Problem;
        return entry.Backend;
    }

    /// <summary>Brings the backends in line with <paramref name="catalog"/>: same factory, same backend; otherwise a new one.</summary>
    private void Rebuild(PluginCatalog catalog) => Rebuild(catalog, reuse: null);

    /// <param name="reuse">The backends that may be kept as they are; null is all of them.</param>
    private void Rebuild(PluginCatalog catalog, IReadOnlyDictionary<string, Entry>? reuse)
    {
        lock (_gate)
        {
            var previous = reuse ?? _entries;
            var next = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, backend) in _options.Backends)
            {
                var kind = catalog.FindKind(backend.Kind);
                if (kind is null)
                {
                    next[name] = new Entry(null, null, MissingKind(name, backend.Kind, catalog));
                    continue;
                }

                if (kind.Plugin is { } plugin)
                {
                    _lastProviders[backend.Kind] = plugin.Name;
                }

                if (previous.TryGetValue(name, out var existing) && ReferenceEquals(existing.Factory, kind.Factory))
                {
                    next[name] = existing;
                    continue;
                }

                next[name] = Create(name, backend, kind);
            }

            foreach (string gone in _pools.Keys.Where(n => !_options.Backends.TryGetValue(n, out var b) || b.Urls.Count <= 1).ToList())
            {
                _pools.Remove(gone);
            }

            Volatile.Write(ref _entries, next);
        }
    }

    private Entry Create(string name, BackendOptions backend, BackendKind kind)
    {
        if (!_clients.TryGetValue(name, out var client))
        {
            client = CreateHttpClient(name, _options.ConnectTimeout);
            _clients[name] = client;
        }

        try
        {
            var services = new BackendServices(client, _loggerFactory, _timeProvider);
            if (backend.Urls.Count > 1)
            {
                // A pool: one instance per replica, built by the same factory, behind one name.
                var replicas = backend.Urls.Select(url => (url, kind.Factory.Create(backend with { Name = name, Url = url }, services))).ToList();
                if (!_pools.TryGetValue(name, out var state))
                {
                    state = new PoolState();
                    _pools[name] = state;
                }

                return new Entry(new PooledBackend(name, replicas, state, _timeProvider, _logger), kind.Factory, null);
            }

            return new Entry(kind.Factory.Create(backend with { Name = name }, services), kind.Factory, null);
        }
        catch (Exception exception) when (kind.Plugin is not null)
        {
            // A plugin's factory that throws must not take the proxy down: the backend answers with the reason.
            string problem = $"backend '{name}' could not be created by plugin '{kind.Plugin.Name}' ({kind.Plugin.Path}): {exception.GetType().Name}: {exception.Message}";
            _logger.LogWarning("{Problem}", problem);
            return new Entry(null, kind.Factory, problem);
        }
    }

    private string MissingKind(string name, string kind, PluginCatalog catalog)
    {
        string available = string.Join(", ", catalog.BackendKinds.Select(k => k.Kind));
        string folders = catalog.Directories.IsEmpty ? "the plugins folder" : string.Join(" or ", catalog.Directories);
        return _lastProviders.TryGetValue(kind, out var plugin)
            ? $"backend '{name}' is of kind '{kind}', which plugin '{plugin}' provided, but that plugin is no longer loaded " +
              $"(its folder was removed or it failed to load: run `anyclaude plugins`); put {plugin}/ back into {folders} (available kinds: {available})"
            : $"backend '{name}' is of kind '{kind}', but no loaded plugin provides it; put the plugin that does into {folders} (available kinds: {available})";
    }

    /// <summary>
    /// One pooled connection handler per backend: no overall timeout (a prefill can take minutes), a bounded connect,
    /// and the hop header on every request (loop detection, whatever the plugin sends).
    /// </summary>
    private static HttpClient CreateHttpClient(string backendName, TimeSpan connectTimeout) =>
        new(new HopHeaderHandler(backendName, new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            // A finished answer is drained (its last bytes) so the connection is reused; one abandoned mid-stream (the
            // client went away) is given up after 100 ms instead of the default 2 s, so the model stops generating.
            ResponseDrainTimeout = TimeSpan.FromMilliseconds(100),
        }))
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public void Dispose()
    {
        _plugins.Changed -= Rebuild;
        lock (_gate)
        {
            _entries = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
            foreach (var client in _clients.Values)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>A configured backend: built (<see cref="Backend"/>), or not, with the <see cref="Problem"/> it answers.</summary>
    private sealed record Entry(IBackend? Backend, IBackendFactory? Factory, string? Problem);
}
