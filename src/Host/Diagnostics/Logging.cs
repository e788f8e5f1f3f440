using Serilog;
using Serilog.Events;

namespace AnyClaude.Host.Diagnostics;

internal static class Logging
{
    /// <summary>
    /// Serving alone, logs go to stderr (stdout carries only the export lines). While claude runs in the same
    /// terminal they go to a file instead, so they never draw over claude's screen.
    /// </summary>
    public static Serilog.Core.Logger CreateSerilogLogger(int debug, string? logFile)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(debug switch
            {
                0 => LogEventLevel.Warning,
                1 => LogEventLevel.Information,
                2 => LogEventLevel.Debug,
                _ => LogEventLevel.Verbose,
            })
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning);
        const string message = "{Level:u3} {Message:lj}{NewLine}{Exception}";
        if (logFile is not null && Path.GetDirectoryName(Path.GetFullPath(logFile)) is { } folder && !OperatingSystem.IsWindows())
        {
            // Logs name backends, models and prompts' sizes: a new log folder is the owner's only.
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return logFile is null
            ? configuration.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} " + message, standardErrorFromLevel: LogEventLevel.Verbose).CreateLogger()
            : configuration.WriteTo.File(logFile, outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss} " + message, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 7).CreateLogger();
    }
}
