using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AnyClaude.LoadBench;

/// <summary>
/// The interleaved A/B run for issue 11's routing budget: two <c>anyclaude --proxy-only</c> processes side by side
/// against the same fake backend, A without routes and B with N routes that never match, requests sent A, B, A, B …
/// at concurrency 1. Interleaving puts both configurations under the same machine state at every moment, so the
/// drift that swamps two runs one after the other cancels in each pair's difference (B − A).
/// <c>--routes 0</c> makes it an A/A run: the null the method should report. <c>--a PATH --b PATH</c> compares two
/// builds instead (A runs the first executable, B the second, both without routes unless <c>--routes</c> says so):
/// e.g. a change against the commit before it, interleaved.
/// </summary>
internal static class AbExperiment
{
    private sealed record Rep(int Number, double[] A, double[] B, double[] Differences, double CpuMsA, double CpuMsB);

    public static async Task<int> RunAsync(Options options)
    {
        int reps = options.Int("reps", 3);
        int pairs = options.Int("pairs", 5000);
        int warmupPairs = options.Int("warmup-pairs", 1000);
        bool twoBuilds = options.Flag("a") || options.Flag("b");
        int routes = options.Int("routes", twoBuilds ? 0 : 10);
        string proxyCpu = options.String("proxy-cpu", "1");
        string executableA = options.String("a", Paths.AnyClaude());
        string executableB = options.String("b", Paths.AnyClaude());

        await using var openAI = await FakeServers.StartOpenAIAsync();
        await using var anthropic = await FakeServers.StartAnthropicAsync();
        var backend = new Uri($"http://127.0.0.1:{openAI.Port()}");
        byte[] body = LoadGenerator.RequestBody(tool: false);
        var noRoutes = new Dictionary<string, string>();
        var tenRoutes = NeverMatchingRoutes(routes);

        var header = new StringBuilder();
        header.AppendLine($"machine: {Environment.ProcessorCount} cores visible; .NET {Environment.Version}; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        header.AppendLine($"request: {body.Length} bytes, text answer of {Streams.TextChunks} chunks; C=1, requests A, B, A, B …");
        header.AppendLine(twoBuilds
            ? $"A: {executableA}; B: {executableB}; {(routes == 0 ? "no routes" : $"B with {routes} never-matching routes")}; both proxies on cpu {proxyCpu}"
            : $"A: no routes; B: {routes} routes, each `when.model` a glob no request matches; both proxies on cpu {proxyCpu}");
        header.AppendLine($"{reps} repetitions of {pairs} pairs after {warmupPairs} warm-up pairs, fresh processes each repetition");
        Console.Write(header);

        // The client's own JIT tiers first, against the direct fake (as the `run` verb does).
        using (var warm = new LoadGenerator(new Uri($"http://127.0.0.1:{anthropic.Port()}"), 1))
        {
            await warm.RunAsync(body, false, 1, TimeSpan.FromSeconds(options.Double("harness-warmup", 5)), 100_000);
        }

        var results = new List<Rep>();
        for (int rep = 1; rep <= reps; rep++)
        {
            await using var a = await ProxyProcess.StartAnyClaudeAsync(executableA, backend, proxyCpu, noRoutes);
            await using var b = await ProxyProcess.StartAnyClaudeAsync(executableB, backend, proxyCpu, tenRoutes);
            if (routes > 0)
            {
                await ExpectRoutesAsync(a, 0);
                await ExpectRoutesAsync(b, routes);
            }
            using var loadA = new LoadGenerator(a.BaseUrl, 1);
            using var loadB = new LoadGenerator(b.BaseUrl, 1);
            for (int i = 0; i < warmupPairs; i++)
            {
                await loadA.OneAsync(body, tool: false);
                await loadB.OneAsync(body, tool: false);
            }

            var ttftA = new double[pairs];
            var ttftB = new double[pairs];
            double cpuA = a.CpuMs(), cpuB = b.CpuMs();
            for (int i = 0; i < pairs; i++)
            {
                ttftA[i] = (await loadA.OneAsync(body, tool: false)).Ttft;
                ttftB[i] = (await loadB.OneAsync(body, tool: false)).Ttft;
            }

            var result = new Rep(
                rep,
                ttftA,
                ttftB,
                ttftA.Zip(ttftB, (x, y) => y - x).ToArray(),
                (a.CpuMs() - cpuA) / pairs,
                (b.CpuMs() - cpuB) / pairs);
            results.Add(result);
            var (low, high) = MedianInterval(result.Differences);
            Console.WriteLine($"rep {rep}: A p50 {Median(result.A):F3} p90 {P90(result.A):F3} ms; B p50 {Median(result.B):F3} p90 {P90(result.B):F3} ms; median(B−A) {Median(result.Differences) * 1000:F1} µs [{low * 1000:F1}, {high * 1000:F1}]; CPU/req A {result.CpuMsA:F2} B {result.CpuMsB:F2} ms");
        }

        string report = Report(header.ToString(), results);
        Console.WriteLine();
        Console.WriteLine(report);
        if (options.String("out", "") is { Length: > 0 } outFile)
        {
            File.WriteAllText(outFile, report);
        }

        return 0;
    }

    /// <summary>Routes to the default backend whose model globs match no request, so every one is tried and fails.</summary>
    private static Dictionary<string, string> NeverMatchingRoutes(int count)
    {
        var environment = new Dictionary<string, string>();
        for (int i = 0; i < count; i++)
        {
            environment[$"ANYCLAUDE_ROUTES__{i}__WHEN__MODEL"] = $"*never-matches-{i}*";
            environment[$"ANYCLAUDE_ROUTES__{i}__BACKEND"] = "mlx-lm";
        }

        return environment;
    }

    /// <summary>Reads the proxy's route list from <c>/admin/status</c>, so B is known to run with its routes.</summary>
    private static async Task ExpectRoutesAsync(ProxyProcess proxy, int expected)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var status = await http.GetFromJsonAsync<JsonDocument>(new Uri(proxy.BaseUrl, "/admin/status"));
        int actual = status!.RootElement.GetProperty("routes").GetArrayLength();
        if (actual != expected)
        {
            throw new InvalidOperationException($"the proxy on {proxy.BaseUrl} reports {actual} routes, expected {expected}");
        }
    }

    private static double Median(double[] values) => Quantile(values, 0.5);

    private static double P90(double[] values) => Quantile(values, 0.9);

    private static double Quantile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        double position = p * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    /// <summary>
    /// The distribution-free 95% interval of a median: the order statistics at n/2 ∓ 1.96·√n/2 (the normal
    /// approximation of the binomial count of values below the true median; n is thousands here).
    /// </summary>
    private static (double Low, double High) MedianInterval(double[] values)
    {
        var sorted = values.Order().ToArray();
        double half = 1.96 * Math.Sqrt(sorted.Length) / 2;
        int low = Math.Max(0, (int)Math.Floor((sorted.Length / 2.0) - half));
        int high = Math.Min(sorted.Length - 1, (int)Math.Ceiling((sorted.Length / 2.0) + half));
        return (sorted[low], sorted[high]);
    }

    private static string Report(string header, List<Rep> results)
    {
        static string Ms(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
        static string Us(double ms) => (ms * 1000).ToString("F1", CultureInfo.InvariantCulture);
        static double MedianOf(IEnumerable<double> values) => Median(values.ToArray());

        var text = new StringBuilder();
        text.AppendLine("```");
        text.Append(header);
        text.AppendLine("```");
        text.AppendLine();
        var rows = results.Select(r =>
        {
            var (low, high) = MedianInterval(r.Differences);
            return (IReadOnlyList<string>)
            [
                r.Number.ToString(CultureInfo.InvariantCulture), Ms(Median(r.A)), Ms(P90(r.A)), Ms(Median(r.B)), Ms(P90(r.B)),
                Us(Median(r.Differences)), $"{Us(low)} … {Us(high)}", Us(Median(r.B) - Median(r.A)), r.CpuMsA.ToString("F2", CultureInfo.InvariantCulture), r.CpuMsB.ToString("F2", CultureInfo.InvariantCulture),
            ];
        }).ToList();
        rows.Add(
        [
            "median", Ms(MedianOf(results.Select(r => Median(r.A)))), Ms(MedianOf(results.Select(r => P90(r.A)))),
            Ms(MedianOf(results.Select(r => Median(r.B)))), Ms(MedianOf(results.Select(r => P90(r.B)))),
            Us(MedianOf(results.Select(r => Median(r.Differences)))),
            $"{Us(MedianOf(results.Select(r => MedianInterval(r.Differences).Low)))} … {Us(MedianOf(results.Select(r => MedianInterval(r.Differences).High)))}",
            Us(MedianOf(results.Select(r => Median(r.B) - Median(r.A)))),
            MedianOf(results.Select(r => r.CpuMsA)).ToString("F2", CultureInfo.InvariantCulture), MedianOf(results.Select(r => r.CpuMsB)).ToString("F2", CultureInfo.InvariantCulture),
        ]);
        text.Append(Markdown.Table(
            ["rep", "A TTFT p50 ms", "A p90 ms", "B TTFT p50 ms", "B p90 ms", "median(B − A) µs", "95% interval µs", "p50(B) − p50(A) µs", "A CPU ms/req", "B CPU ms/req"],
            rows));
        if (results.Count > 1)
        {
            // Each repetition is a fresh pair of processes, and that pair's own offset (JIT and PGO choices, memory
            // layout) is what varies most; the interval within one repetition does not cover it, this one does.
            var perRep = results.Select(r => Median(r.Differences)).ToArray();
            double mean = perRep.Average();
            double sd = Math.Sqrt(perRep.Sum(d => (d - mean) * (d - mean)) / (perRep.Length - 1));
            double half = StudentT975(perRep.Length - 1) * sd / Math.Sqrt(perRep.Length);
            text.AppendLine();
            text.AppendLine($"Across the {perRep.Length} repetitions, median(B − A) per repetition: mean {Us(mean)} µs, SD {Us(sd)} µs, 95% t-interval of the mean {Us(mean - half)} … {Us(mean + half)} µs.");
        }

        return text.ToString();
    }

    /// <summary>The two-sided 95% quantile of Student's t with <paramref name="df"/> degrees of freedom.</summary>
    private static double StudentT975(int df) => df switch
    {
        1 => 12.706, 2 => 4.303, 3 => 3.182, 4 => 2.776, 5 => 2.571, 6 => 2.447, 7 => 2.365, 8 => 2.306, 9 => 2.262,
        < 15 => 2.228, < 30 => 2.145, _ => 2.042, // conservative: the value at the smallest df of each band
    };
}
