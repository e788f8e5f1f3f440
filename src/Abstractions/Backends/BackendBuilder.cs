namespace AnyClaude.Abstractions.Backends;

/// <summary>
/// Stacks layers (usually <see cref="DelegatingBackend"/>s) around a backend:
/// <c>new BackendBuilder(inner).Use(b => new Outer(b)).Use(b => new Middle(b)).Build()</c> gives
/// <c>Outer(Middle(inner))</c>: the first layer added is the outermost, the one a caller talks to first.
/// </summary>
public sealed class BackendBuilder
{
    private readonly IBackend _innerBackend;
    private readonly List<Func<IBackend, IBackend>> _layers = [];

    public BackendBuilder(IBackend innerBackend)
    {
        ArgumentNullException.ThrowIfNull(innerBackend);
        _innerBackend = innerBackend;
    }

    /// <summary>Adds a layer inside the ones added before it: it gets the backend built from the layers added after it.</summary>
    public BackendBuilder Use(Func<IBackend, IBackend> layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>The inner backend wrapped in every layer, the first added outermost; the inner backend itself when none was added.</summary>
    public IBackend Build()
    {
        IBackend backend = _innerBackend;
        for (int i = _layers.Count - 1; i >= 0; i--)
        {
            backend = _layers[i](backend)
                ?? throw new InvalidOperationException($"layer {i + 1} of {_layers.Count} added with BackendBuilder.Use returned null instead of a backend wrapping '{backend.Name}'");
        }

        return backend;
    }
}
