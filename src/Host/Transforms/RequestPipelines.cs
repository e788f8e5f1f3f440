using System.Runtime.CompilerServices;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Plugins;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Transforms;

/// <summary>
/// The request pipeline of every backend, built once per backend instance (at start-up for the configured ones;
/// a backend instance created later, e.g. by a plugin reload, gets its own on first use) and never per request.
/// When the plugins change, the pipelines are rebuilt with the new plugins' transforms, and nothing keeps the old
/// ones (or their plugin's load context) alive once the requests using them are done.
/// </summary>
internal sealed class RequestPipelines
{
    private readonly AnyClaudeOptions _options;
    private readonly BackendRegistry _backends;
    private readonly ILoggerFactory _loggerFactory;
    private Generation _current;

    public RequestPipelines(AnyClaudeOptions options, BackendRegistry backends, TransformCatalog catalog, ILoggerFactory loggerFactory, IPluginCatalogSource? plugins = null)
    {
        _options = options;
        _backends = backends;
        _loggerFactory = loggerFactory;
        _current = new Generation(catalog);
        if (plugins is not null)
        {
            plugins.Changed += changed => Volatile.Write(ref _current, new Generation(Catalog.WithPluginTransforms(changed.RequestTransforms)));
        }

        foreach (var backend in backends.All)
        {
            For(backend);
        }
    }

    public TransformCatalog Catalog => Volatile.Read(ref _current).Catalog;

    public RequestPipeline For(IBackend backend)
    {
        var generation = Volatile.Read(ref _current);
        return generation.Built.GetValue(backend, b => Build(generation.Catalog, b));
    }

    /// <summary>Per configured backend, the steps in the order they run, with their kind (for <c>anyclaude plugins</c>).</summary>
    public IReadOnlyList<BackendPipelineInfo> Describe() => _backends.All.Select(b => For(b).Describe()).ToList();

    private RequestPipeline Build(TransformCatalog catalog, IBackend backend) =>
        catalog.Build(backend.Name, _backends.SettingsOf(backend.Name), backend.Capabilities, _loggerFactory, timed: _options.Debug >= 2);

    /// <summary>One set of transforms and the pipelines built from it, replaced as a whole when the plugins change.</summary>
    private sealed class Generation(TransformCatalog catalog)
    {
        public TransformCatalog Catalog { get; } = catalog;

        public ConditionalWeakTable<IBackend, RequestPipeline> Built { get; } = [];
    }
}
