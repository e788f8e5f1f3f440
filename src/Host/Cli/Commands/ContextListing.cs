using System.Globalization;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// <c>anyclaude plugins</c>' context windows: each configured backend's, from its configuration or, asked once, from its
/// server (a few seconds at most each, all at once), with where the figure comes from.
/// </summary>
internal static class ContextListing
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    public static void Write(AnyClaudeOptions options, BackendRegistry backends, TextWriter output)
    {
        var asked = backends.All.Select(backend => (Backend: backend, Capabilities: AskAsync(backend))).ToList();
        output.WriteLine("Context windows:");
        foreach (var (backend, capabilities) in asked.OrderBy(a => a.Backend.Name, StringComparer.OrdinalIgnoreCase))
        {
            var known = capabilities.GetAwaiter().GetResult();
            bool configured = options.Backends.GetValueOrDefault(backend.Name)?.ContextLength is not null;
            string window = known.ContextLength is { } tokens
                ? $"{tokens.ToString("N0", CultureInfo.InvariantCulture)} tokens{SourceOf(configured ? ContextLengthSource.Configured : known.ContextLengthSource)}"
                : "unknown (the server did not say; set contextLength for this backend)";
            output.WriteLine($"  {backend.Name}: {window}; answers up to {known.MaxOutputTokens.ToString("N0", CultureInfo.InvariantCulture)} tokens");
        }
    }

    private static string SourceOf(ContextLengthSource source) => source switch
    {
        ContextLengthSource.Configured => " (configured)",
        ContextLengthSource.Reported => " (reported by the server)",
        ContextLengthSource.Default => " (default, not reported by the server; set contextLength for this backend)",
        _ => "",
    };

    private static async Task<BackendCapabilities> AskAsync(IBackend backend)
    {
        using var timeout = new CancellationTokenSource(AskTimeout);
        try
        {
            return await backend.DiscoverCapabilitiesAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or Abstractions.Errors.AnthropicException)
        {
            return backend.Capabilities;
        }
    }
}
