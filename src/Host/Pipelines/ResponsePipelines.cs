using System.Runtime.CompilerServices;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Plugins;

namespace AnyClaude.Host.Pipelines;

/// <summary>
/// The response pipeline of every backend, built once per backend instance and never per request (the twin of
/// <see cref="RequestPipelines"/>). <see cref="Wrap"/> gives the backend the host streams from: the same backend,
/// its events passed through its pipeline. When the plugins change, the pipelines are rebuilt with the new
/// plugins' steps, and nothing keeps the old ones alive once the requests using them are done.
/// </summary>
internal sealed class ResponsePipelines
{
    private readonly Func<string, BackendOptions?> _settingsOf;
    private Generation _current;

    /// <param name="settingsOf">A backend's current settings by name (they change with a configuration reload).</param>
    public ResponsePipelines(Func<string, BackendOptions?> settingsOf, ResponseCatalog catalog, IPluginCatalogSource? plugins = null)
    {
        _settingsOf = settingsOf;
        _current = new Generation(catalog);
        if (plugins is not null)
        {
            plugins.Changed += changed => Volatile.Write(ref _current, new Generation(ResponseCatalog.For(changed)));
        }
    }

    public ResponseCatalog Catalog => Volatile.Read(ref _current).Catalog;

    public ResponsePipeline For(IBackend backend)
    {
        var generation = Volatile.Read(ref _current);
        return generation.Built.GetValue(backend, b => generation.Catalog.Build(b.Name, _settingsOf(b.Name)));
    }

    /// <summary>The backend whose stream runs through its response pipeline (the backend itself when the pipeline is empty).</summary>
    public IBackend Wrap(IBackend backend) => For(backend) is { Steps.Count: > 0 } pipeline ? new ResponsePipelineBackend(backend, pipeline) : backend;

    /// <summary>Per backend, the steps in the order they run, with their kind (for <c>anyclaude plugins</c>).</summary>
    public IReadOnlyList<BackendPipelineInfo> Describe(IEnumerable<IBackend> backends) => backends.Select(b => For(b).Describe()).ToList();

    private sealed class Generation(ResponseCatalog catalog)
    {
        public ResponseCatalog Catalog { get; } = catalog;

        public ConditionalWeakTable<IBackend, ResponsePipeline> Built { get; } = [];
    }
}
