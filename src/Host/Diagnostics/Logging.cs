using Serilog;
using Serilog.Events;

namespace AnyClaude.Host.Diagnostics;

internal static class Logging
{
    /// <summary>Logs go to stderr so that stdout carries only what a script may read (the export lines).</summary>
    public static Serilog.Core.Logger CreateSerilogLogger(int debug) =>
        new LoggerConfiguration()
            .MinimumLevel.Is(debug switch
            {
                0 => LogEventLevel.Warning,
                1 => LogEventLevel.Information,
                2 => LogEventLevel.Debug,
                _ => LogEventLevel.Verbose,
            })
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .WriteTo.Console(
                outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();
}
