



using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Backends;

internal sealed partial class BackendRegistry
{
    /// <summary>The configured settings of backend <paramref name="name"/> now (they change with a reload).</summary>
    public BackendOptions? SettingsOf(string name) => Volatile.Read(ref _options).Backends.GetValueOrDefault(name);

    /// <summary>
    /// Applies a reloaded configuration as a diff: a backend whose settings are unchanged keeps its instance (its
    /// connections and state), a changed one is created anew (requests still streaming on the old one finish on it),
    /// a removed one goes, a new one is created. Returns what changed, for the log.
    /// </summary>
    public BackendChanges Reconfigure(AnyClaudeOptions next)
    {
        lock (_gate)
        {
            var previous = _options.Backends;
            var added = next.Backends.Keys.Where(n => !previous.ContainsKey(n)).ToList();
            var removed = previous.Keys.Where(n => !next.Backends.ContainsKey(n)).ToList();
            var changed = next.Backends.Keys.Where(n => previous.TryGetValue(n, out var old) && !BackendSettingsComparer.Same(old, next.Backends[n])).ToList();

            var kept = new Dictionary<string, Entry>(_entries, StringComparer.OrdinalIgnoreCase);
            foreach (string name in changed.Concat(removed))
            {
                kept.Remove(name);
            }

            _options = _options with { Backends = next.Backends };
            Rebuild(_plugins.Current, kept);
            return new BackendChanges(added, changed, removed);
        }
    }
}

/// <summary>The backends a reload added, changed (recreated) and removed.</summary>
internal sealed record BackendChanges(IReadOnlyList<string> Added, IReadOnlyList<string> Changed, IReadOnlyList<string> Removed)
{
    public bool Any => Added.Count + Changed.Count + Removed.Count > 0;

    public override string ToString() =>
        string.Join("; ", new[] { ("added", Added), ("changed", Changed), ("removed", Removed) }.Where(p => p.Item2.Count > 0).Select(p => $"{p.Item1} {string.Join(", ", p.Item2)}"));
}
