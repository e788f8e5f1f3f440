using System.Runtime.CompilerServices;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Transforms;

/// <summary>
/// The request pipeline of every backend, built once per backend instance (at start-up for the configured ones;
/// a backend instance created later, e.g. by a plugin reload, gets its own on first use) and never per request.
/// </summary>
internal sealed class RequestPipelines
{
    private readonly AnyClaudeOptions _options;
    private readonly BackendRegistry _backends;
    private readonly TransformCatalog _catalog;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ConditionalWeakTable<IBackend, RequestPipeline> _built = [];

    public RequestPipelines(AnyClaudeOptions options, BackendRegistry backends, TransformCatalog catalog, ILoggerFactory loggerFactory)
    {
        _options = options;
        _backends = backends;
        _catalog = catalog;
        _loggerFactory = loggerFactory;
        foreach (var backend in backends.All)
        {
            For(backend);
        }
    }

    public TransformCatalog Catalog => _catalog;

    public RequestPipeline For(IBackend backend) => _built.GetValue(backend, Build);

    /// <summary>Per configured backend, the steps in the order they run, with their kind (for <c>anyclaude plugins</c>).</summary>
    public IReadOnlyList<BackendPipelineInfo> Describe() => _backends.All.Select(b => For(b).Describe()).ToList();

    private RequestPipeline Build(IBackend backend) =>
        _catalog.Build(backend.Name, _options.Backends.GetValueOrDefault(backend.Name), backend.Capabilities, _loggerFactory, timed: _options.Debug >= 2);
}
