using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Abstractions.Scripting;

/// <summary>
/// What a <c>.csx</c> request script sees as globals. A script runs once per request, after the built-in and
/// plugin transforms, and edits <see cref="Request"/> in place before the backend renders it. This type is the
/// contract with script authors: members are only ever added.
/// </summary>
public sealed class ScriptGlobals
{
    public ScriptGlobals(MessagesRequest request, ScriptBackend backend, ILogger log, CancellationToken cancellationToken = default)
    {
        Request = request;
        Backend = backend;
        Log = log;
        CancellationToken = cancellationToken;
    }

    /// <summary>The request, typed and mutable: <c>Request.Model</c>, <c>Request.MaxTokens</c>, <c>Request.System</c>, <c>Request.Messages</c>, <c>Request.Tools</c>, …</summary>
    public MessagesRequest Request { get; }

    /// <summary>The backend this request goes to: its configured name and what it can do.</summary>
    public ScriptBackend Backend { get; }

    /// <summary>A logger named after the script (<c>AnyClaude.Scripts.&lt;file&gt;</c>).</summary>
    public ILogger Log { get; }

    /// <summary>Signalled when the client goes away.</summary>
    public CancellationToken CancellationToken { get; }
}

/// <summary>The backend a script's request goes to.</summary>
/// <param name="Name">The configured backend name (what <c>mode</c> selects), e.g. <c>mlx-lm</c>.</param>
/// <param name="Kind">The plugin kind that built it, e.g. <c>mlx-lm</c>, <c>lmstudio</c>, <c>openai</c>.</param>
/// <param name="Capabilities">Tools, images, reasoning, context length, maximum output tokens.</param>
public sealed record ScriptBackend(string Name, string Kind, BackendCapabilities Capabilities);
