namespace AnyClaude.Host.Proxy.Telemetry;

/// <summary>
/// The last hour of finished requests per backend (at most <see cref="PerBackend"/> each), for the figures
/// <c>anyclaude status</c>, the dashboard and the status line show: time to first token p50/p95, tokens per second,
/// the cached share of the prompt, and the last request's own figures.
/// </summary>
internal sealed class RequestStatistics(TimeProvider time)
{
    public const int PerBackend = 500;
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<Sample>> _samples = new(StringComparer.OrdinalIgnoreCase);

    public void Add(RequestOutcome outcome)
    {
        var sample = new Sample(time.GetUtcNow(), outcome.Status, outcome.TtftSeconds, outcome.InputTokens + outcome.CachedTokens, outcome.CachedTokens, outcome.OutputTokens, outcome.TokensPerSecond);
        lock (_gate)
        {
            if (!_samples.TryGetValue(outcome.Backend, out var queue))
            {
                _samples[outcome.Backend] = queue = new Queue<Sample>();
            }

            queue.Enqueue(sample);
            Trim(queue);
        }
    }

    /// <summary>The backend's samples of the last hour, oldest first.</summary>
    public IReadOnlyList<Sample> SamplesOf(string backend)
    {
        lock (_gate)
        {
            if (!_samples.TryGetValue(backend, out var queue))
            {
                return [];
            }

            Trim(queue);
            return [.. queue];
        }
    }

    public BackendFigures FiguresOf(string backend)
    {
        var samples = SamplesOf(backend);
        var ttfts = samples.Where(s => s.TtftSeconds is not null).Select(s => s.TtftSeconds!.Value).Order().ToArray();
        var rates = samples.Where(s => s.TokensPerSecond > 0).Select(s => s.TokensPerSecond).Order().ToArray();
        long prompt = samples.Sum(s => (long)s.PromptTokens);
        long cached = samples.Sum(s => (long)s.CachedTokens);
        var last = samples.LastOrDefault(s => s.Status == 200);
        return new BackendFigures(
            samples.Count,
            samples.Count(s => s.Status != 200),
            Percentile(ttfts, 0.50),
            Percentile(ttfts, 0.95),
            Percentile(rates, 0.50),
            prompt == 0 ? null : (double)cached / prompt,
            last);
    }

    /// <summary>Nearest-rank percentile of sorted values; null when there are none.</summary>
    public static double? Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return null;
        }

        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private void Trim(Queue<Sample> queue)
    {
        var oldest = time.GetUtcNow() - Window;
        while (queue.Count > PerBackend || (queue.Count > 0 && queue.Peek().At < oldest))
        {
            queue.Dequeue();
        }
    }

    /// <summary>One finished request: <see cref="PromptTokens"/> includes the cached ones.</summary>
    internal sealed record Sample(DateTimeOffset At, int Status, double? TtftSeconds, int PromptTokens, int CachedTokens, int OutputTokens, double TokensPerSecond)
    {
        public double? CachedShare => PromptTokens == 0 ? null : (double)CachedTokens / PromptTokens;
    }
}

/// <summary>A backend's figures over the last hour; <see cref="Last"/> is its last successful request.</summary>
internal sealed record BackendFigures(
    int Requests,
    int Errors,
    double? TtftP50,
    double? TtftP95,
    double? TokensPerSecondP50,
    double? CachedShare,
    RequestStatistics.Sample? Last);
