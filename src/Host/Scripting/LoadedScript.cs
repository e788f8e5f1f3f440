namespace AnyClaude.Host.Scripting;

/// <summary>
/// One <c>.csx</c> file found at start-up. <see cref="Entry"/> is null when it did not compile (its errors are in
/// <see cref="ScriptSet.Errors"/>); such a script is known by name but never runs.
/// </summary>
internal sealed class LoadedScript
{
    public required string Name { get; init; }

    public required string Path { get; init; }

    /// <summary>The backends named by the script's <c>// backends:</c> directive; null runs it for every backend.</summary>
    public IReadOnlySet<string>? Backends { get; init; }

    /// <summary>The compiled submission's factory: takes <c>[globals, null]</c> and runs the script.</summary>
    public Func<object?[], Task<object>>? Entry { get; init; }

    /// <summary>True when the compiled assembly came from the on-disk cache and the compiler did not run.</summary>
    public bool FromCache { get; init; }

    /// <summary>The cache file holding the compiled assembly (content-hash named).</summary>
    public string? CachePath { get; init; }

    public bool Compiled => Entry is not null;

    public bool RunsFor(string backendName) => Backends is null || Backends.Contains(backendName);
}

/// <summary>The scripts found in the script folders, in file-name order, and what went wrong loading them.</summary>
internal sealed record ScriptSet(IReadOnlyList<LoadedScript> Scripts, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
{
    public static ScriptSet Empty { get; } = new([], [], []);

    /// <summary>How many scripts the compiler had to compile (the rest came from the cache or did not compile).</summary>
    public int CompiledCount => Scripts.Count(s => s.Compiled && !s.FromCache);
}
