



using AnyClaude.Host.Scripting;

namespace AnyClaude.Host.Tests.Scripting;

/// <summary>A temporary scripts folder with its own compile cache, deleted at the end of the test.</summary>
internal sealed class ScriptFolder : IDisposable
{
    public ScriptFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "anyclaude-scripts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Scripts);
        Directory.CreateDirectory(Cache);
    }

    public string Root { get; }

    public string Scripts => Path.Combine(Root, "scripts");

    public string Cache => Path.Combine(Root, "cache");

    public string Write(string name, string code)
    {
        string path = Path.Combine(Scripts, name);
        File.WriteAllText(path, code);
        return path;
    }

    public ScriptSet Load() => ScriptLoader.Load([Scripts], Cache);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Collects log lines (category: message) for assertions.</summary>
internal sealed class ListLoggerProvider : Microsoft.Extensions.Logging.ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
    }
}
