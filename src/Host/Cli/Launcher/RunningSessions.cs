using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Cli.Launcher;

/// <summary>
/// The proxies running for this user, one file each in <c>~/.anyclaude/sessions/&lt;process id&gt;.json</c> (the port it
/// listens on, its folder, when it started): how <c>anyclaude status</c>, <c>mode</c> and <c>ui</c> find this session's
/// proxy when it had to take a free port. A record whose process is gone (or whose id now belongs to another process)
/// is stale: it is ignored and removed.
/// </summary>
internal sealed class RunningSessions(string directory)
{
    /// <summary>A started process's time as recorded and as read back from the system may differ by rounding.</summary>
    private static readonly TimeSpan StartTimeTolerance = TimeSpan.FromSeconds(2);

    public static RunningSessions ForUser() => new(Path.Combine(ConfigurationLoader.UserDirectory, "sessions"));

    /// <summary>Records this process's proxy on <paramref name="port"/>; disposing removes the record. A folder that cannot be written records nothing.</summary>
    public IDisposable Record(int port, string workingDirectory)
    {
        var self = Process.GetCurrentProcess();
        var record = new SessionRecord(Environment.ProcessId, port, Path.GetFullPath(workingDirectory), self.StartTime.ToUniversalTime());
        string path = Path.Combine(directory, $"{record.ProcessId.ToString(CultureInfo.InvariantCulture)}.json");
        try
        {
            PrivateFile.Write(path, JsonSerializer.Serialize(record));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return new Removal(null);
        }

        return new Removal(path);
    }

    /// <summary>The live session started in <paramref name="workingDirectory"/>, else the live one started last; null when none runs.</summary>
    public SessionRecord? Find(string workingDirectory)
    {
        string folder = Path.GetFullPath(workingDirectory);
        return Live()
            .OrderByDescending(r => string.Equals(r.WorkingDirectory, folder, StringComparison.Ordinal))
            .ThenByDescending(r => r.StartedAt)
            .FirstOrDefault();
    }

    private List<SessionRecord> Live()
    {
        var live = new List<SessionRecord>();
        if (!Directory.Exists(directory))
        {
            return live;
        }

        foreach (string path in Directory.EnumerateFiles(directory, "*.json"))
        {
            SessionRecord? record;
            try
            {
                record = JsonSerializer.Deserialize<SessionRecord>(File.ReadAllText(path));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
            {
                continue;
            }

            if (record is not null && IsRunning(record))
            {
                live.Add(record);
            }
            else
            {
                TryDelete(path);
            }
        }

        return live;
    }

    private static bool IsRunning(SessionRecord record)
    {
        try
        {
            using var process = Process.GetProcessById(record.ProcessId);
            return !process.HasExited && (process.StartTime.ToUniversalTime() - record.StartedAt).Duration() <= StartTimeTolerance;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }

    private sealed class Removal(string? path) : IDisposable
    {
        public void Dispose()
        {
            if (path is not null)
            {
                TryDelete(path);
            }
        }
    }
}

/// <summary>One running proxy: its process, port, the folder it was started in and when.</summary>
internal sealed record SessionRecord(int ProcessId, int Port, string WorkingDirectory, DateTime StartedAt);
