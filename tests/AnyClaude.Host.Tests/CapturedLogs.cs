using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests;

/// <summary>Keeps every log line the proxy writes, to assert on (e.g. that no unexpected exception was logged).</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Exception)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message, Exception? Exception)> Entries => [.. _entries];

    public void Configure(ILoggingBuilder logging)
    {
        logging.SetMinimumLevel(LogLevel.Trace);
        logging.AddProvider(this);
    }

    /// <summary>Lines of the error middleware's "unexpected failure" (an exception nothing handled).</summary>
    public IReadOnlyList<string> UnexpectedFailures =>
        [.. _entries.Where(e => e.Category.EndsWith("AnthropicErrorMiddleware", StringComparison.Ordinal) || e.Level >= LogLevel.Error)
            .Select(e => $"{e.Level} {e.Category}: {e.Message} {e.Exception}")];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((logLevel, category, formatter(state, exception), exception));
    }
}
