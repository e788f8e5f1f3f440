using System.Text;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Host.Http;
using AnyClaude.Host.Proxy.ContextWindows;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Host.Cli.Doctor;

/// <summary>
/// Checks one backend with real requests to its server: reachable, which model is loaded, its context window, a
/// one-token tool request, and two requests sharing a prefix (the second's cached share says whether the prefix cache works).
/// </summary>
internal sealed class BackendDoctor(IBackend backend, BackendSettings settings, TimeSpan requestTimeout)
{
    /// <summary>About 1,500 tokens of stable prefix: enough for a prefix cache to keep, small enough to prefill fast.</summary>
    private static readonly string SharedPrefix = string.Concat(Enumerable.Range(0, 300).Select(i => $"Line {i}: anyclaude doctor checks that this prefix is cached. "));

    private string Name => backend.Name;

    public async Task<IReadOnlyList<DoctorCheck>> RunAsync(CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck>();
        var health = await Guard(() => backend.CheckHealthAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        if (health is not { IsHealthy: true })
        {
            checks.Add(DoctorCheck.Fail(Name, "reachable", $"no: {health?.Description ?? "no answer"} ({backend.BaseUrl})",
                $"start the server at {backend.BaseUrl}, or fix backends.{Name}.url"));
            return checks;
        }

        checks.Add(DoctorCheck.Ok(Name, "reachable", $"yes ({backend.BaseUrl}: {health.Description})"));
        checks.Add(await ModelAsync(cancellationToken).ConfigureAwait(false));
        var capabilities = await Guard(() => backend.DiscoverCapabilitiesAsync(cancellationToken), cancellationToken).ConfigureAwait(false) ?? backend.Capabilities;
        checks.Add(capabilities.ContextLength is { } window
            ? ClaudeCodeRoom.TooSmall(Name, window) is { } tooSmall
                ? DoctorCheck.Warn(Name, "context window", $"{window} tokens: too small for Claude Code", tooSmall)
                : DoctorCheck.Ok(Name, "context window", $"{window} tokens")
            : DoctorCheck.Warn(Name, "context window", "unknown (the server does not say)",
                $"set backends.{Name}.contextLength to the window the server runs with, so Claude Code compacts in time"));
        checks.Add(await ToolsAsync(capabilities, cancellationToken).ConfigureAwait(false));
        checks.Add(await PrefixCacheAsync(cancellationToken).ConfigureAwait(false));
        return checks;
    }

    private async Task<DoctorCheck> ModelAsync(CancellationToken cancellationToken)
    {
        var models = await Guard(() => backend.ListModelsAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        if (models is null || models.Count == 0)
        {
            return DoctorCheck.Warn(Name, "model", "the server lists no model", $"load a model on the server (or set backends.{Name}.model)");
        }

        string listed = string.Join(", ", models.Select(m => m.Id).Take(5)) + (models.Count > 5 ? $", … ({models.Count})" : "");
        if (settings.Model is { } configured && !models.Any(m => string.Equals(m.Id, configured, StringComparison.OrdinalIgnoreCase)))
        {
            return DoctorCheck.Warn(Name, "model", $"configured '{configured}' is not among the loaded: {listed}",
                $"load '{configured}' on the server, or set backends.{Name}.model to one of those");
        }

        return DoctorCheck.Ok(Name, "model", settings.Model is { } model ? $"{model} (loaded: {listed})" : $"loaded: {listed}");
    }

    private async Task<DoctorCheck> ToolsAsync(BackendCapabilities capabilities, CancellationToken cancellationToken)
    {
        if (!capabilities.Tools)
        {
            return DoctorCheck.Warn(Name, "tool calling", "off for this backend (supportsTools: false): tools are not sent",
                $"Claude Code works through tools: use a model and server with tool calling, or set backends.{Name}.toolEmulation");
        }

        const string body = """
            {"model":"claude-opus-5-5","max_tokens":1,"stream":true,
             "tools":[{"name":"ping","description":"Answers pong.","input_schema":{"type":"object","properties":{}}}],
             "messages":[{"role":"user","content":"Call the ping tool."}]}
            """;
        try
        {
            var answer = await AskAsync(body, cancellationToken).ConfigureAwait(false);
            return DoctorCheck.Ok(Name, "tool calling", $"a request with a tool is accepted ({answer.StopReason ?? "answered"})");
        }
        catch (AnthropicException exception)
        {
            return DoctorCheck.Fail(Name, "tool calling", $"a request with a tool failed: {exception.Message}",
                $"enable tool calling on the server (llama.cpp: --jinja; vLLM: --enable-auto-tool-choice --tool-call-parser …), or set backends.{Name}.supportsTools: false or toolEmulation");
        }
    }

    private async Task<DoctorCheck> PrefixCacheAsync(CancellationToken cancellationToken)
    {
        try
        {
            await AskAsync(PrefixBody("first"), cancellationToken).ConfigureAwait(false);
            var second = await AskAsync(PrefixBody("second"), cancellationToken).ConfigureAwait(false);
            int prompt = second.InputTokens + second.CachedTokens;
            double share = prompt == 0 ? 0 : (double)second.CachedTokens / prompt;
            string finding = $"the second of two requests sharing a prefix had {second.CachedTokens} of {prompt} prompt tokens cached ({share:P0})";
            return share >= 0.5
                ? DoctorCheck.Ok(Name, "prefix cache", finding)
                : DoctorCheck.Warn(Name, "prefix cache", finding,
                    "without a prefix cache every turn prefills the whole conversation: enable it on the server (mlx-lm and llama.cpp cache by default; vLLM: --enable-prefix-caching, and --enable-prompt-tokens-details so it reports it)");
        }
        catch (AnthropicException exception)
        {
            return DoctorCheck.Warn(Name, "prefix cache", $"not checked: {exception.Message}", "see the failures above");
        }
    }

    private static string PrefixBody(string question) => new StringBuilder()
        .Append("""{"model":"claude-opus-5-5","max_tokens":1,"stream":true,"system":""")
        .Append(System.Text.Json.JsonSerializer.Serialize(SharedPrefix))
        .Append(""","messages":[{"role":"user","content":"Say the word """)
        .Append(question)
        .Append("\"}]}")
        .ToString();

    private async Task<Answer> AskAsync(string body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(requestTimeout);
        var request = MessagesRequestReader.Parse(Encoding.UTF8.GetBytes(body), 64);
        var call = new BackendCall($"doctor-{Guid.NewGuid():N}", NullLogger.Instance) { Model = settings.Model };
        var answer = new Answer();
        try
        {
            await foreach (var streamEvent in backend.StreamAsync(request, call, timeout.Token).ConfigureAwait(false))
            {
                if (streamEvent is MessageDeltaEvent delta)
                {
                    answer.StopReason = delta.Delta.StopReason;
                    answer.InputTokens = delta.Usage.InputTokens;
                    answer.CachedTokens = delta.Usage.CacheReadInputTokens;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AnthropicException(AnthropicErrorTypes.Timeout, $"no answer within {requestTimeout.TotalSeconds:0} s");
        }

        return answer;
    }

    /// <summary>The call's result, or null when it threw anything but cancellation by the caller.</summary>
    private static async Task<T?> Guard<T>(Func<Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private sealed class Answer
    {
        public string? StopReason { get; set; }

        public int InputTokens { get; set; }

        public int CachedTokens { get; set; }
    }
}
