using System.IO.Enumeration;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Plugins;

/// <summary>Where the host reads the current <see cref="PluginCatalog"/> and hears about new ones.</summary>
internal interface IPluginCatalogSource
{
    PluginCatalog Current { get; }

    /// <summary>Raised after <see cref="Current"/> changed (on the thread that reloaded).</summary>
    event Action<PluginCatalog>? Changed;
}

/// <summary>A catalog that never changes (tests, or plugins handed over in code).</summary>
internal sealed class FixedCatalogSource(PluginCatalog catalog) : IPluginCatalogSource
{
    public PluginCatalog Current { get; } = catalog;

    public event Action<PluginCatalog>? Changed
    {
        add { }
        remove { }
    }
}

/// <summary>A plugins folder to search; a missing <see cref="Required"/> one is reported, a missing optional one is not.</summary>
internal sealed record PluginDirectory(string Path, bool Required);

/// <summary>
/// Keeps the plugin folders loaded: one slot per <c>&lt;Name&gt;/</c> folder, reloaded when its files change.
/// Each load works from a shadow copy, so a plugin's DLL can be replaced on disk while it serves. A reload
/// publishes a new <see cref="PluginCatalog"/>, then unloads the plugins it replaced: their load contexts are
/// collected once requests still running on the old code let go of it.
/// </summary>
internal sealed class PluginManager : IPluginCatalogSource, IDisposable
{
    private static readonly EnumerationOptions Recursive = new() { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };

    private readonly Lock _gate = new();
    private readonly IReadOnlyList<PluginDirectory> _directories;
    private readonly string _shadowRoot;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan _pollInterval;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly List<RetiredCopy> _retiredCopies = [];
    private Dictionary<string, Slot> _slots = new(StringComparer.OrdinalIgnoreCase);
    private PluginCatalog _current = PluginCatalog.Empty;
    private List<PluginFailure> _folderFailures = [];
    private Timer? _debounceTimer;
    private Timer? _pollTimer;
    private ILogger _logger = NullLogger.Instance;
    private long _loads;
    private bool _disposed;

    public PluginManager(IEnumerable<PluginDirectory> directories, TimeSpan? debounce = null, TimeSpan? pollInterval = null, string? shadowRoot = null)
    {
        _directories = directories.DistinctBy(d => Path.GetFullPath(d.Path)).Select(d => d with { Path = Path.GetFullPath(d.Path) }).ToList();
        _debounce = debounce ?? TimeSpan.FromMilliseconds(300);
        _pollInterval = pollInterval ?? TimeSpan.FromSeconds(2);
        _shadowRoot = shadowRoot ?? Path.Combine(Path.GetTempPath(), "anyclaude-plugins", $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..20]);
    }

    /// <summary>The folders <c>anyclaude</c> searches: <paramref name="explicitDirectory"/> if given (then it must exist), else the defaults.</summary>
    public static IReadOnlyList<PluginDirectory> DirectoriesFor(string? explicitDirectory, string userDirectory) =>
        explicitDirectory is { } directory
            ? [new PluginDirectory(Path.GetFullPath(directory), Required: true)]
            : [new PluginDirectory(Path.Combine(AppContext.BaseDirectory, "plugins"), Required: false), new PluginDirectory(Path.Combine(userDirectory, "plugins"), Required: false)];

    public PluginCatalog Current => Volatile.Read(ref _current);

    /// <summary>The folders searched, as full paths.</summary>
    public IReadOnlyList<PluginDirectory> Directories => _directories;

    public event Action<PluginCatalog>? Changed;

    /// <summary>Where the shadow copies live (deleted on dispose).</summary>
    public string ShadowRoot => _shadowRoot;

    /// <summary>Where failures and reloads are logged from now on; the current failures are logged once.</summary>
    public void UseLogger(ILogger logger)
    {
        lock (_gate)
        {
            _logger = logger;
            Log(Current, null);
        }
    }

    /// <summary>Watches the plugin folders (FileSystemWatcher with a debounce, and a slow poll as a safety net).</summary>
    public void StartWatching()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pollTimer is not null)
            {
                return;
            }

            _debounceTimer = new Timer(_ => ReloadQuietly(), null, Timeout.Infinite, Timeout.Infinite);
            _pollTimer = new Timer(_ => ReloadQuietly(), null, _pollInterval, _pollInterval);
            foreach (var directory in _directories.Where(d => Directory.Exists(d.Path)))
            {
                var watcher = new FileSystemWatcher(directory.Path)
                {
                    IncludeSubdirectories = true,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                watcher.Changed += OnFileEvent;
                watcher.Created += OnFileEvent;
                watcher.Deleted += OnFileEvent;
                watcher.Renamed += OnFileEvent;
                watcher.Error += (_, _) => Debounce();
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
        }
    }

    /// <summary>
    /// Brings the catalog up to date with the folders: loads new and changed plugins, drops removed ones, keeps the
    /// rest as they are. Returns the (possibly unchanged) current catalog.
    /// </summary>
    public PluginCatalog Reload()
    {
        List<LoadedPlugin> retired = [];
        PluginCatalog catalog;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            DeleteCollectedCopies();
            var previous = _current;
            var folderFailures = new List<PluginFailure>();
            var next = new Dictionary<string, Slot>(StringComparer.OrdinalIgnoreCase);
            bool changed = previous.Generation == 0;
            foreach (var directory in _directories)
            {
                if (!Directory.Exists(directory.Path))
                {
                    if (directory.Required)
                    {
                        folderFailures.Add(new PluginFailure(directory.Path, "the plugins folder does not exist"));
                    }

                    continue;
                }

                foreach (string folder in SafeEnumerateDirectories(directory.Path))
                {
                    string name = Path.GetFileName(folder);
                    if (next.TryGetValue(name, out var first))
                    {
                        folderFailures.Add(new PluginFailure(folder, $"a plugin named '{name}' is already loaded from {first.Folder}; this one is ignored"));
                        continue;
                    }

                    ulong? stamp = Stamp(folder);
                    if (stamp is not null && _slots.TryGetValue(name, out var slot) && slot.Folder == folder && slot.Stamp == stamp)
                    {
                        next[name] = slot;
                        continue;
                    }

                    next[name] = LoadSlot(name, folder, stamp);
                    changed = true;
                }
            }

            foreach (var (name, slot) in _slots)
            {
                if (!next.TryGetValue(name, out var kept) || !ReferenceEquals(kept, slot))
                {
                    changed = true;
                    if (slot.Plugin is { } plugin)
                    {
                        retired.Add(plugin);
                    }
                }
            }

            _slots = next;
            var slotFailures = next.Values.Select(s => s.Failure).OfType<PluginFailure>();
            changed |= !folderFailures.SequenceEqual(_folderFailures);
            _folderFailures = folderFailures;
            if (!changed)
            {
                return previous;
            }

            catalog = PluginCatalog.Create(
                previous.Generation + 1,
                _directories.Select(d => d.Path),
                next.Values.Select(s => s.Plugin).OfType<LoadedPlugin>().OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase),
                folderFailures.Concat(slotFailures));
            Volatile.Write(ref _current, catalog);
            Log(catalog, previous);
        }

        try
        {
            Changed?.Invoke(catalog);
        }
        finally
        {
            foreach (var plugin in retired)
            {
                Retire(plugin);
            }
        }

        return catalog;
    }

    private Slot LoadSlot(string name, string folder, ulong? stamp)
    {
        string shadow = Path.Combine(_shadowRoot, $"{name}-{Interlocked.Increment(ref _loads)}");
        try
        {
            return new Slot(folder, stamp, PluginLoader.Load(folder, shadow), null);
        }
        catch (PluginLoadException exception)
        {
            TryDelete(shadow);
            return new Slot(folder, stamp, null, exception.Failure);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            TryDelete(shadow);
            return new Slot(folder, stamp, null, new PluginFailure(folder, $"cannot be copied for loading: {exception.Message}"));
        }
    }

    private void Retire(LoadedPlugin plugin)
    {
        try
        {
            plugin.Unload();
        }
        catch (Exception exception)
        {
            _logger.LogWarning(exception, "Unloading plugin {Plugin} from {Path} failed", plugin.Name, plugin.Path);
        }

        // Old code may still run (a stream in flight) and load more of its assemblies lazily: its copy stays until
        // its context is collected, and goes at the next reload after that (the root goes on dispose).
        lock (_gate)
        {
            _retiredCopies.Add(new RetiredCopy(new WeakReference(plugin.Context), Path.GetDirectoryName(plugin.LoadedFrom)!));
        }
    }

    private void DeleteCollectedCopies()
    {
        foreach (var copy in _retiredCopies.Where(c => !c.Context.IsAlive).ToList())
        {
            TryDelete(copy.Directory);
            if (!Directory.Exists(copy.Directory))
            {
                _retiredCopies.Remove(copy);
            }
        }
    }

    private void Log(PluginCatalog catalog, PluginCatalog? previous)
    {
        var before = previous?.Plugins.ToHashSet() ?? [];
        foreach (var plugin in catalog.Plugins.Where(p => !before.Contains(p)))
        {
            _logger.LogInformation("Plugin {Plugin} {Version} loaded from {Path}: backend kinds {Kinds}; request transforms {Transforms}",
                plugin.Name, plugin.Version, plugin.Path,
                string.Join(", ", plugin.BackendFactories.Select(f => f.Kind)), string.Join(", ", plugin.RequestTransforms.Select(t => t.Name)));
        }

        if (previous is not null)
        {
            var now = catalog.Plugins.Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var plugin in previous.Plugins.Where(p => !now.Contains(p.Path)))
            {
                _logger.LogInformation("Plugin {Plugin} from {Path} was removed", plugin.Name, plugin.Path);
            }
        }

        var reported = previous?.Failures.ToHashSet() ?? [];
        foreach (var failure in catalog.Failures.Where(f => !reported.Contains(f)))
        {
            _logger.LogWarning("Plugin {Path} was not loaded: {Reason}", failure.Path, failure.Reason);
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => Debounce();

    private void Debounce()
    {
        try
        {
            _debounceTimer?.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ReloadQuietly()
    {
        try
        {
            if (!_disposed)
            {
                Reload();
            }
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception exception)
        {
            _logger.LogWarning(exception, "Reloading plugins failed");
        }
    }

    /// <summary>
    /// What a folder holds, cheaply: a hash of every file's relative path, size and last write time. It runs every poll
    /// (<see cref="_pollInterval"/>) for every plugin, so it reads the directory entries in place (no FileInfo, no path
    /// strings) and combines the entries' hashes in any order; null when the folder cannot be read.
    /// </summary>
    private static ulong? Stamp(string folder)
    {
        try
        {
            var entries = new FileSystemEnumerable<ulong>(folder, static (ref FileSystemEntry entry) => EntryHash(ref entry), Recursive)
            {
                ShouldIncludePredicate = static (ref FileSystemEntry entry) => !entry.IsDirectory,
            };
            ulong stamp = 0;
            foreach (ulong hash in entries)
            {
                stamp += hash;
            }

            return stamp;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The entry's relative path, size and write time; <see cref="HashCode"/> is seeded per process, as the stamps are.</summary>
    private static ulong EntryHash(ref FileSystemEntry entry)
    {
        var hash = new HashCode();
        hash.AddBytes(MemoryMarshal.AsBytes(entry.Directory[entry.RootDirectory.Length..]));
        hash.Add('/');
        hash.AddBytes(MemoryMarshal.AsBytes(entry.FileName));
        hash.Add(entry.Length);
        hash.Add(entry.LastWriteTimeUtc.UtcTicks);
        return (uint)hash.ToHashCode();
    }

    private static IEnumerable<string> SafeEnumerateDirectories(string directory)
    {
        try
        {
            return Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }

    public void Dispose()
    {
        List<LoadedPlugin> plugins;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var watcher in _watchers)
            {
                watcher.Dispose();
            }

            _debounceTimer?.Dispose();
            _pollTimer?.Dispose();
            plugins = _slots.Values.Select(s => s.Plugin).OfType<LoadedPlugin>().ToList();
            _slots = [];
        }

        foreach (var plugin in plugins)
        {
            plugin.Unload();
        }

        TryDelete(_shadowRoot);
    }

    private sealed record RetiredCopy(WeakReference Context, string Directory);

    private sealed record Slot(string Folder, ulong? Stamp, LoadedPlugin? Plugin, PluginFailure? Failure);
}
