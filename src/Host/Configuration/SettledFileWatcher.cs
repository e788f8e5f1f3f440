namespace AnyClaude.Host.Configuration;

/// <summary>
/// Watches files (a folder and a name pattern each) and calls back once, a moment after the last change: editors
/// write a file in several steps, and one reload per save is what the watchers of configuration and scripts need. A
/// folder that does not exist is not watched.
/// </summary>
internal sealed class SettledFileWatcher : IDisposable
{
    public static readonly TimeSpan DefaultSettleTime = TimeSpan.FromMilliseconds(250);

    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Timer _settle;
    private readonly TimeSpan _settleTime;

    /// <param name="patterns">Each a folder and a file name or pattern in it (<c>*.csx</c>).</param>
    public SettledFileWatcher(IEnumerable<(string Directory, string Pattern)> patterns, Action settled, TimeSpan? settleTime = null)
    {
        _settleTime = settleTime ?? DefaultSettleTime;
        _settle = new Timer(_ => settled(), null, Timeout.Infinite, Timeout.Infinite);
        foreach (var (directory, pattern) in patterns.Distinct())
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }

            var watcher = new FileSystemWatcher(directory, pattern)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += OnChanged;
            watcher.Created += OnChanged;
            watcher.Deleted += OnChanged;
            watcher.Renamed += OnChanged;
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => _settle.Change(_settleTime, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _settle.Dispose();
    }
}
