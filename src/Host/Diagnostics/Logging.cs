using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog.Events;
using Serilog.Extensions.Hosting;
using Serilog.Settings.Configuration;
using Serilog;

namespace AnyClaude.Host.Diagnostics;

/// <summary>
/// Serilog in two stages: a bootstrap logger (warnings to stderr) from the first line of <c>Main</c>, replaced in
/// place by the configured one once the configuration is read. Serving alone, logs go to stderr (stdout carries only
/// the export lines). While claude runs in the same terminal they go to a file instead, so they never draw over
/// claude's screen.
/// </summary>
internal static class Logging
{
    private const string Message = "{Level:u3} {Message:lj}{NewLine}{Exception}";

    /// <summary>The first stage: what goes wrong before the configuration is read still reaches stderr.</summary>
    public static ReloadableLogger CreateBootstrapLogger() =>
        new LoggerConfiguration()
            .MinimumLevel.Warning()
            .WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} " + Message, standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateBootstrapLogger();

    /// <summary>
    /// The second stage, once per process: the <see cref="Log.Logger"/> bootstrap logger reconfigured in place (or,
    /// when there is none, a new logger that becomes <see cref="Log.Logger"/>). <see cref="Log.CloseAndFlushAsync"/>
    /// disposes it. A <c>Serilog</c> section Serilog cannot apply throws <see cref="InvalidDataException"/> (the
    /// bootstrap logger stays).
    /// </summary>
    public static Serilog.ILogger UseConfigured(int debug, string? logFile, IConfiguration? settings)
    {
        if (Log.Logger is ReloadableLogger bootstrap)
        {
            bootstrap.Reload(configuration => Configure(configuration, debug, logFile, settings));
            bootstrap.Freeze();
            return bootstrap;
        }

        Log.Logger = CreateSerilogLogger(debug, logFile, settings);
        return Log.Logger;
    }

    public static Serilog.Core.Logger CreateSerilogLogger(int debug, string? logFile, IConfiguration? settings = null) =>
        Configure(new LoggerConfiguration(), debug, logFile, settings).CreateLogger();

    /// <summary>
    /// Sends the proxy's own logs (through Microsoft.Extensions.Logging) and the request log
    /// (<see cref="RequestLogging"/>, written to Serilog directly) to <paramref name="logger"/>.
    /// </summary>
    public static ILoggingBuilder AddProxyLogger(this ILoggingBuilder logging, Serilog.ILogger logger)
    {
        logging.AddSerilog(logger);
        logging.Services.AddSingleton(logger);
        return logging;
    }

    /// <summary>
    /// <c>--debug</c> sets the level and the sink; a <c>Serilog</c> section in the configuration files (read by
    /// Serilog.Settings.Configuration) comes after, so its <c>MinimumLevel</c> and <c>WriteTo</c> win or add.
    /// </summary>
    private static LoggerConfiguration Configure(LoggerConfiguration configuration, int debug, string? logFile, IConfiguration? settings)
    {
        configuration
            .MinimumLevel.Is(debug switch
            {
                0 => LogEventLevel.Warning,
                1 => LogEventLevel.Information,
                2 => LogEventLevel.Debug,
                _ => LogEventLevel.Verbose,
            })
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning);
        if (logFile is not null && Path.GetDirectoryName(Path.GetFullPath(logFile)) is { } folder && !OperatingSystem.IsWindows())
        {
            // Logs name backends, models and prompts' sizes: a new log folder is the owner's only.
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (logFile is null)
        {
            configuration.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} " + Message, standardErrorFromLevel: LogEventLevel.Verbose);
        }
        else
        {
            configuration.WriteTo.File(logFile, outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss} " + Message, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 7);
        }

        if (settings?.GetSection("Serilog").Exists() == true)
        {
            // The sinks the host carries, named explicitly: an installed tool has no dependency file to scan reliably.
            var readerOptions = new ConfigurationReaderOptions(
                typeof(ConsoleLoggerConfigurationExtensions).Assembly,
                typeof(FileLoggerConfigurationExtensions).Assembly)
            {
                SectionName = "Serilog",
            };
            try
            {
                configuration.ReadFrom.Configuration(settings, readerOptions);
            }
            catch (Exception exception) when (exception is InvalidOperationException or FormatException or ArgumentException or InvalidCastException or System.Reflection.TargetInvocationException)
            {
                throw new InvalidDataException($"Serilog: {(exception.InnerException ?? exception).Message}", exception);
            }
        }

        return configuration;
    }
}
