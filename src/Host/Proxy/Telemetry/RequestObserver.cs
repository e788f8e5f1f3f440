using System.Diagnostics;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Requests;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Proxy.Telemetry;

/// <summary>Watches one request's events and logs its summary line: backend, model, status, time to first token, tokens/s, cache.</summary>
internal sealed partial class RequestObserver(ILogger logger, string requestId, RoutedRequest routed, string model, bool stream, RequestTrace? trace)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _firstToken;
    private int _outputTokens;
    private int _inputTokens;
    private int _cachedTokens;
    private int _pings;
    private string? _stopReason;
    private int _status = 200;
    private string? _error;
    private string? _errorType;
    private List<string>? _blocks;

    /// <summary>The answer's HTTP status (499: the client went away).</summary>
    public int Status => _status;

    /// <summary>The backend answering; a fallback moves it.</summary>
    public string Backend => routed.Backend;

    /// <summary>How the request kept the conversation's cache (<c>local-answer</c>, <c>slot 1</c>, …), asked when it is over.</summary>
    public Func<string?>? Strategy { get; set; }

    /// <summary>Adds a finished request's prompt and cached tokens to its conversation's and describes the sums, for the log line.</summary>
    public Func<int, int, string>? Conversation { get; set; }

    /// <summary>The dashboard's view of this request while it runs.</summary>
    public LiveRequest? Live { get; init; }

    /// <summary>Called once the request is over, with what <c>anyclaude status</c> shows of it.</summary>
    public Action<RequestOutcome>? Completed { get; init; }

    public void OnEvent(MessageStreamEvent streamEvent)
    {
        switch (streamEvent)
        {
            case ContentBlockDeltaEvent when _firstToken == 0:
                _firstToken = Stopwatch.GetTimestamp();
                break;
            case ContentBlockStartEvent start when logger.IsEnabled(LogLevel.Debug):
                (_blocks ??= []).Add(start.ContentBlock is ToolUseBlock toolUse ? $"tool_use:{toolUse.Name}" : start.ContentBlock.Type);
                break;
            case MessageDeltaEvent delta:
                _outputTokens = delta.Usage.OutputTokens;
                _inputTokens = delta.Usage.InputTokens;
                _cachedTokens = delta.Usage.CacheReadInputTokens;
                _stopReason = delta.Delta.StopReason;
                break;
        }

        Live?.OnEvent(streamEvent);
        trace?.WriteEvent(streamEvent);
    }

    public void OnPing() => _pings++;

    public void OnError(int status, string message, string? errorType = null)
    {
        _status = status;
        _error = message;
        _errorType = errorType ?? "error";
        trace?.WriteNote("error", $"{status} {message}");
    }

    public void OnClientGone()
    {
        _status = 499;
        _error = "the client disconnected; the upstream request was cancelled";
        _errorType = "client_disconnected";
    }

    public void Complete()
    {
        string strategy = Strategy?.Invoke() ?? "-";
        double totalSeconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        double? ttft = _firstToken == 0 ? null : Stopwatch.GetElapsedTime(_started, _firstToken).TotalSeconds;
        double generationSeconds = _firstToken == 0 ? 0 : Stopwatch.GetElapsedTime(_firstToken).TotalSeconds;
        double tokensPerSecond = generationSeconds > 0 ? _outputTokens / generationSeconds : 0;
        if (_blocks is not null)
        {
            LogResponseSummary(logger, requestId, string.Join(", ", _blocks));
        }

        if (_error is null)
        {
            int prompt = _inputTokens + _cachedTokens;
            string conversation = Conversation?.Invoke(prompt, _cachedTokens) ?? "-";
            LogCompleted(
                logger, requestId, Backend, model, stream ? "stream" : "json", _status, routed.ClassName, ttft ?? totalSeconds, totalSeconds, _inputTokens, _cachedTokens,
                prompt == 0 ? 0 : 100.0 * _cachedTokens / prompt, _outputTokens, tokensPerSecond, _stopReason, _pings, strategy, conversation);
        }
        else
        {
            LogFailed(logger, requestId, Backend, model, stream ? "stream" : "json", _status, totalSeconds, _error);
        }

        Completed?.Invoke(new RequestOutcome(Backend, _status, ttft, _inputTokens, _cachedTokens, _outputTokens, totalSeconds, tokensPerSecond, _errorType) { Strategy = strategy });
        trace?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} {Backend} {Model} {Mode} {Status} class={RequestClass} ttft={Ttft:0.000}s total={Total:0.000}s in={InputTokens} cached={CachedTokens} ({CachedPercent:0}%) out={OutputTokens} {TokensPerSecond:0.0} tok/s stop={StopReason} pings={Pings} cache={Strategy} conversation={Conversation}")]
    private static partial void LogCompleted(ILogger logger, string proxyRequestId, string backend, string model, string mode, int status, string requestClass, double ttft, double total, int inputTokens, int cachedTokens, double cachedPercent, int outputTokens, double tokensPerSecond, string? stopReason, int pings, string strategy, string conversation);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{ProxyRequestId} response blocks=[{Blocks}]")]
    private static partial void LogResponseSummary(ILogger logger, string proxyRequestId, string blocks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ProxyRequestId} {Backend} {Model} {Mode} {Status} after {Total:0.000}s: {Error}")]
    private static partial void LogFailed(ILogger logger, string proxyRequestId, string backend, string model, string mode, int status, double total, string error);
}

/// <summary>
/// A finished request as the observer saw it; <see cref="InputTokens"/> excludes the cached ones (Anthropic's usage);
/// <see cref="ErrorType"/> is the Anthropic error type when it failed.
/// </summary>
internal sealed record RequestOutcome(
    string Backend,
    int Status,
    double? TtftSeconds,
    int InputTokens,
    int CachedTokens,
    int OutputTokens,
    double TotalSeconds = 0,
    double TokensPerSecond = 0,
    string? ErrorType = null)
{
    /// <summary>How the request kept the conversation's cache (<see cref="CacheStrategy"/>).</summary>
    public string? Strategy { get; init; }

    /// <summary>The server that answered, where the backend has several (a pool's replica); else its URL is the backend's.</summary>
    public Uri? Destination { get; init; }
}
