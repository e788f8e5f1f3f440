using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Plugins;

/// <summary>
/// Plugins and scripts are code the proxy runs: a folder they load from that other users can write to (or a
/// parent of it, up to the home directory) lets those users run code as you. Unix mode bits only; on Windows
/// nothing is checked.
/// </summary>
public static partial class FolderPermissions
{
    private const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>
    /// Logs a warning for <paramref name="path"/> and each parent up to the home directory (or the root when
    /// the path is outside it) that is group- or world-writable, and returns the warnings. A parent with the
    /// sticky bit (such as <c>/tmp</c>) is not reported: there others cannot rename or replace what you own.
    /// A folder that does not exist is not reported either (nothing loads from it).
    /// </summary>
    public static IReadOnlyList<string> WarnIfWritableByOthers(string path, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(logger);
        var warnings = new List<string>();
        if (OperatingSystem.IsWindows())
        {
            return warnings;
        }

        var folder = new DirectoryInfo(Path.GetFullPath(path));
        if (!folder.Exists)
        {
            return warnings;
        }

        string home = Path.TrimEndingDirectorySeparator(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        bool isStart = true;
        for (var current = folder; current is not null; current = current.Parent)
        {
            var mode = File.GetUnixFileMode(current.FullName);
            bool sticky = (mode & UnixFileMode.StickyBit) != 0;
            if ((mode & WritableByOthers) != 0 && (isStart || !sticky))
            {
                string who = (mode & UnixFileMode.OtherWrite) != 0 ? "every user" : "its group";
                string warning = isStart
                    ? $"{current.FullName} is writable by {who}: anyone who can write there can run code in anyclaude (chmod go-w '{current.FullName}')"
                    : $"{current.FullName}, a parent of {folder.FullName}, is writable by {who}: anyone who can write there can replace the folder and run code in anyclaude (chmod go-w '{current.FullName}')";
                warnings.Add(warning);
                LogWritable(logger, warning);
            }

            if (string.Equals(Path.TrimEndingDirectorySeparator(current.FullName), home, StringComparison.Ordinal))
            {
                break;
            }

            isStart = false;
        }

        return warnings;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsafe code folder: {Warning}")]
    private static partial void LogWritable(ILogger logger, string warning);
}
