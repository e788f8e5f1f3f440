using System.Text.Json;
using System.Text;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Abstractions.Streaming;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Proxy.Telemetry;

/// <summary>
/// Debug level 3: one file per request with the client's headers and body, the upstream body and every
/// stream event. Created readable by the owner only; secrets in headers are redacted.
/// </summary>
internal sealed class RequestTrace : IDisposable
{
    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "x-api-key", "proxy-authorization", "cookie", "set-cookie",
    };

    private readonly StreamWriter _writer;
    private readonly object _gate = new();

    private RequestTrace(StreamWriter writer) => _writer = writer;

    public static RequestTrace Create(string directory, string requestId)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            // A new trace folder is the owner's only (an existing one keeps its mode; each file is owner-only anyway).
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        string path = Path.Combine(directory, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{requestId}.log");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new RequestTrace(new StreamWriter(new FileStream(path, options), new UTF8Encoding(false)));
    }

    public void WriteRequest(HttpRequest request, ReadOnlySpan<byte> body)
    {
        var text = new StringBuilder();
        text.Append(request.Method).Append(' ').Append(request.Path).Append(request.QueryString).AppendLine();
        foreach (var (name, value) in request.Headers)
        {
            text.Append(name).Append(": ").AppendLine(SecretHeaders.Contains(name) ? "[redacted]" : value.ToString());
        }

        text.AppendLine().Append(Encoding.UTF8.GetString(body));
        WriteNote("client-request", text.ToString());
    }

    public void WriteUpstreamBody(ReadOnlyMemory<byte> body) => WriteNote("upstream-request", Encoding.UTF8.GetString(body.Span));

    public void WriteEvent(MessageStreamEvent streamEvent) =>
        WriteNote("event", JsonSerializer.Serialize(streamEvent, AnthropicJsonContext.Default.MessageStreamEvent));

    public void WriteNote(string kind, string text)
    {
        lock (_gate)
        {
            _writer.Write($"--- {DateTime.UtcNow:O} {kind}\n");
            _writer.Write(text);
            _writer.Write('\n');
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }
}
