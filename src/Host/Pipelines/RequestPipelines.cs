using System.Runtime.CompilerServices;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Plugins;
using AnyClaude.Host.Scripting;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Pipelines;

/// <summary>
/// The request pipeline of every backend, built once per backend instance (at start-up for the configured ones;
/// a backend instance created later, e.g. by a plugin reload, gets its own on first use) and never per request.
/// When the plugins change, the pipelines are rebuilt with the new plugins' transforms, and nothing keeps the old
/// ones (or their plugin's load context) alive once the requests using them are done; the same when the scripts change
/// (<see cref="ScriptWatcher"/>).
/// </summary>
internal sealed class RequestPipelines
{
    private readonly AnyClaudeOptions _options;
    private readonly BackendRegistry _backends;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Lock _swap = new();
    private Generation _current;

    public RequestPipelines(AnyClaudeOptions options, BackendRegistry backends, TransformCatalog catalog, ILoggerFactory loggerFactory, IPluginCatalogSource? plugins = null)
    {
        _options = options;
        _backends = backends;
        _loggerFactory = loggerFactory;
        _current = new Generation(catalog);
        if (plugins is not null)
        {
            plugins.Changed += changed =>
            {
                lock (_swap)
                {
                    Volatile.Write(ref _current, new Generation(Catalog.WithPluginTransforms(changed.RequestTransforms)));
                }
            };
        }

        foreach (var backend in backends.All)
        {
            For(backend);
        }
    }

    public TransformCatalog Catalog => Volatile.Read(ref _current).Catalog;

    /// <summary>
    /// Rebuilds every pipeline with another set of scripts (the script folders changed), unless a backend's
    /// <c>transforms</c> in <paramref name="options"/> would then name a script that is gone: <paramref name="problems"/>
    /// says which, and the running pipelines stay. Requests already running keep the pipeline they started with.
    /// </summary>
    public bool TryReplaceScripts(ScriptSet scripts, AnyClaudeOptions options, out IReadOnlyList<string> problems)
    {
        lock (_swap)
        {
            var next = Catalog.WithScripts(scripts);
            problems = next.Validate(options);
            if (problems.Count > 0)
            {
                return false;
            }

            Volatile.Write(ref _current, new Generation(next));
            return true;
        }
    }

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
