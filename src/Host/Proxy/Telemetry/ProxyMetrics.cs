using System.Diagnostics.Metrics;
using System.Diagnostics;
using AnyClaude.Host.Proxy.Routing;

namespace AnyClaude.Host.Proxy.Telemetry;

/// <summary>
/// The one <see cref="Meter"/> ("AnyClaude") the proxy records its requests on, where they run: the attempt runner
/// (requests in flight, fallbacks) and the request observer (each finished request). Tagged by backend, destination
/// (the backend's host:port), upstream model, route and request class. <c>/metrics</c> and OTLP export it through
/// OpenTelemetry; <see cref="Statistics"/> keeps the same figures per backend for <c>anyclaude status</c>, the
/// dashboard and the status line.
/// </summary>
internal sealed class ProxyMetrics : IRequestListener
{
    public const string MeterName = "AnyClaude";

    private static readonly double[] SecondsBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
    private static readonly double[] RateBuckets = [1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 400];

    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _tokensPerSecond;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _cachedTokens;
    private readonly Counter<long> _outputTokens;
    private readonly UpDownCounter<long> _inFlight;
    private readonly Counter<long> _fallbacks;
    private readonly Histogram<double> _queueWait;
    private readonly Func<string, Uri?> _urlOf;

    public ProxyMetrics(IMeterFactory meters, Func<string, Uri?> urlOf, RequestStatistics statistics)
    {
        _urlOf = urlOf;
        Statistics = statistics;
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("anyclaude.requests", "{request}", "Requests finished, by outcome status");
        _errors = meter.CreateCounter<long>("anyclaude.errors", "{request}", "Requests that ended in an error, by error type");
        _timeToFirstToken = meter.CreateHistogram("anyclaude.time_to_first_token", "s", "Time from the request to the first token of the answer",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _duration = meter.CreateHistogram("anyclaude.request.duration", "s", "Time from the request to the end of the answer",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _tokensPerSecond = meter.CreateHistogram("anyclaude.output_tokens_per_second", "{token}/s", "Output tokens per second of generation (after the first token)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RateBuckets });
        _promptTokens = meter.CreateCounter<long>("anyclaude.prompt_tokens", "{token}", "Prompt tokens, cached ones included");
        _cachedTokens = meter.CreateCounter<long>("anyclaude.cached_tokens", "{token}", "Prompt tokens the backend's prefix cache served");
        _outputTokens = meter.CreateCounter<long>("anyclaude.output_tokens", "{token}", "Output tokens");
        _inFlight = meter.CreateUpDownCounter<long>("anyclaude.requests_in_flight", "{request}", "Upstream requests running now");
        _fallbacks = meter.CreateCounter<long>("anyclaude.fallbacks", "{request}", "Attempts that failed before their first event and went to the next backend");
        _queueWait = meter.CreateHistogram("anyclaude.queue.wait", "s", "Time a request waited in the proxy's queue for room on its backend (maxInFlight), for those that waited",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
    }

    public RequestStatistics Statistics { get; }

    public void Started(string backend) => _inFlight.Add(1, new KeyValuePair<string, object?>("backend", backend));

    public void Finished(string backend) => _inFlight.Add(-1, new KeyValuePair<string, object?>("backend", backend));

    public void Queued(string backend, double waitedSeconds) => _queueWait.Record(waitedSeconds, new KeyValuePair<string, object?>("backend", backend));

    public void FellBack(string from, string to) =>
        _fallbacks.Add(1, new KeyValuePair<string, object?>("backend", from), new KeyValuePair<string, object?>("fallback", to));

    /// <summary>A request refused before any backend saw it (<c>backend</c> is <c>-</c> when it was not routed yet).</summary>
    public void Refused(string backend, string requestClass, int status, string errorType)
    {
        var tags = new TagList
        {
            { "backend", backend },
            { "destination", "" },
            { "model", "" },
            { "route", "refused" },
            { "class", requestClass },
        };
        var withStatus = tags;
        withStatus.Add("status", status);
        _requests.Add(1, withStatus);
        tags.Add("error.type", errorType);
        _errors.Add(1, tags);
    }

    /// <summary>One finished request (what the observer saw of it).</summary>
    void IRequestListener.OnCompleted(RoutedRequest routed, RequestOutcome outcome) => Record(routed, outcome);

    public void Record(RoutedRequest routed, RequestOutcome outcome)
    {
        var tags = new TagList
        {
            { "backend", outcome.Backend },
            { "destination", (outcome.Destination ?? _urlOf(outcome.Backend)) is { } url ? url.Authority : "" },
            { "model", routed.Model ?? routed.RequestedModel },
            { "route", routed.Decision.Reason },
            { "class", routed.ClassName },
        };
        var withStatus = tags;
        withStatus.Add("status", outcome.Status);
        _requests.Add(1, withStatus);
        _duration.Record(outcome.TotalSeconds, tags);
        if (outcome.ErrorType is { } errorType)
        {
            var withType = tags;
            withType.Add("error.type", errorType);
            _errors.Add(1, withType);
        }

        if (outcome.TtftSeconds is { } ttft)
        {
            _timeToFirstToken.Record(ttft, tags);
        }

        if (outcome.TokensPerSecond > 0)
        {
            _tokensPerSecond.Record(outcome.TokensPerSecond, tags);
        }

        _promptTokens.Add(outcome.InputTokens + outcome.CachedTokens, tags);
        _cachedTokens.Add(outcome.CachedTokens, tags);
        _outputTokens.Add(outcome.OutputTokens, tags);
        Statistics.Add(outcome);
    }
}
