using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;

namespace AnyClaude.LoadBench;

/// <summary>
/// Item 2 of the benchmark issue: the three targets in turn, on the same machine, against the same fake backend.
/// Each repetition starts every target afresh (idle RSS before any request, peak RSS = VmHWM after the runs),
/// warms it up, then measures the text stream at C=1 and C=16 and the tool-call stream at C=1.
/// </summary>
internal static class EndToEnd
{
    private sealed record Run(string Target, int Rep, string Scenario, LoadResult Load, double CpuMsPerRequest);

    private sealed record Memory(string Target, int Rep, double IdleMiB, double PeakMiB);

    public static async Task<int> RunAsync(Options options)
    {
        int reps = options.Int("reps", 3);
        var duration = TimeSpan.FromSeconds(options.Double("seconds", 5));
        var warmup = TimeSpan.FromSeconds(options.Double("warmup", 2));
        string proxyCpu = options.String("proxy-cpu", "1");
        var targets = options.String("targets", "direct,anyclaude,ccr").Split(',');
        var env = options.Pairs("env");
        const int MaxRequests = 50_000;

        await using var openAI = await FakeServers.StartOpenAIAsync();
        await using var anthropic = await FakeServers.StartAnthropicAsync();
        var backend = new Uri($"http://127.0.0.1:{openAI.Port()}");
        byte[] textBody = LoadGenerator.RequestBody(tool: false);
        byte[] toolBody = LoadGenerator.RequestBody(tool: true);

        var header = new StringBuilder();
        header.AppendLine($"machine: {Environment.ProcessorCount} cores visible, {File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()}; .NET {Environment.Version}; node {NodeVersion()}");
        header.AppendLine($"request: {textBody.Length} bytes (tool variant {toolBody.Length}); answer: {Streams.TextChunks} text chunks, or {Streams.ToolTextChunks} + a tool call in {Streams.ToolArgumentFragments} argument fragments");
        header.AppendLine($"proxy on cpu {proxyCpu}; {reps} repetitions; {warmup.TotalSeconds} s warm-up, {duration.TotalSeconds} s per measurement (at most {MaxRequests} requests)");
        if (env.Count > 0)
        {
            header.AppendLine("anyclaude environment: " + string.Join(' ', env.Select(p => $"{p.Key}={p.Value}")));
        }

        Console.Write(header);

        // The load generator warms up itself first (its own JIT tiers), against the direct fake: otherwise the first
        // repetition of whatever goes first measures a slower client.
        using (var warm = new LoadGenerator(new Uri($"http://127.0.0.1:{anthropic.Port()}"), 16))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var harnessWarmup = TimeSpan.FromSeconds(options.Double("harness-warmup", 15));
            while (clock.Elapsed < harnessWarmup)
            {
                await warm.RunAsync(textBody, false, 16, TimeSpan.FromSeconds(2), MaxRequests);
                await warm.RunAsync(toolBody, true, 1, TimeSpan.FromSeconds(1), MaxRequests);
                await warm.RunAsync(textBody, false, 1, TimeSpan.FromSeconds(1), MaxRequests);
            }
        }

        var runs = new List<Run>();
        var memory = new List<Memory>();
        for (int rep = 1; rep <= reps; rep++)
        {
            foreach (string target in targets)
            {
                ProxyProcess? proxy = target switch
                {
                    "direct" => null,
                    "anyclaude" => await ProxyProcess.StartAnyClaudeAsync(Paths.AnyClaude(), backend, proxyCpu, env),
                    // Another build of anyclaude (--baseline PATH), measured in the same run: a change's effect
                    // shows as a ratio that the machine's drift affects far less than two separate runs.
                    "baseline" => await ProxyProcess.StartAnyClaudeAsync(
                        options.String("baseline", "") is { Length: > 0 } baselinePath ? baselinePath : throw new ArgumentException("target 'baseline' needs --baseline PATH/TO/anyclaude"),
                        backend,
                        proxyCpu,
                        env),
                    "ccr" => await ProxyProcess.StartClaudeCodeRouterAsync(Paths.ClaudeCodeRouter(), backend, proxyCpu),
                    _ => throw new ArgumentException($"unknown target {target}"),
                };
                await using var _ = proxy;
                var baseUrl = proxy?.BaseUrl ?? new Uri($"http://127.0.0.1:{anthropic.Port()}");
                await Task.Delay(500);
                double idle = proxy?.StatusMiB("VmRSS") ?? double.NaN;
                using (var warm = new LoadGenerator(baseUrl, 16))
                {
                    await warm.RunAsync(textBody, false, 16, warmup, MaxRequests);
                    await warm.RunAsync(toolBody, true, 4, warmup / 4, MaxRequests);
                }

                foreach (var (scenario, tool, concurrency) in new[] { ("text C=1", false, 1), ("text C=16", false, 16), ("tool C=1", true, 1) })
                {
                    using var load = new LoadGenerator(baseUrl, concurrency);
                    double cpuBefore = proxy?.CpuMs() ?? 0;
                    var result = await load.RunAsync(tool ? toolBody : textBody, tool, concurrency, tool ? duration / 2 : duration, MaxRequests);
                    double cpu = proxy is null ? double.NaN : (proxy.CpuMs() - cpuBefore) / Math.Max(1, result.Requests);
                    runs.Add(new Run(target, rep, scenario, result, cpu));
                    Console.WriteLine($"rep {rep} {target,-9} {scenario,-9}: {result.Requests,6} ok {result.Failures} failed, {result.RequestsPerSecond,7:F1} req/s, TTFT p50 {result.TtftP50,7:F2} p99 {result.TtftP99,7:F2} ms, total p50 {result.TotalP50,7:F2} ms, CPU {cpu,6:F2} ms/req{(result.FirstError is null ? "" : "  first error: " + result.FirstError)}");
                }

                double peak = proxy?.StatusMiB("VmHWM") ?? double.NaN;
                memory.Add(new Memory(target, rep, idle, peak));
                if (proxy is not null)
                {
                    Console.WriteLine($"rep {rep} {target,-9} RSS idle {idle:F1} MiB, peak {peak:F1} MiB");
                }
            }
        }

        string report = Report(header.ToString(), targets, runs, memory);
        Console.WriteLine();
        Console.WriteLine(report);
        if (options.String("out", "") is { Length: > 0 } outFile)
        {
            File.WriteAllText(outFile, report);
        }

        return runs.Any(r => r.Load.Failures > 0) ? 1 : 0;
    }

    private static readonly (string Label, string Scenario, Func<Run, double> Pick)[] RatioFigures =
    [
        ("TTFT p50, C=1", "text C=1", r => r.Load.TtftP50),
        ("TTFT p50, C=16", "text C=16", r => r.Load.TtftP50),
        ("requests/s, C=1", "text C=1", r => r.Load.RequestsPerSecond),
        ("requests/s, C=16", "text C=16", r => r.Load.RequestsPerSecond),
        ("CPU per request, C=1", "text C=1", r => r.CpuMsPerRequest),
        ("CPU per request, C=16", "text C=16", r => r.CpuMsPerRequest),
    ];

    private static string Report(string header, string[] targets, List<Run> runs, List<Memory> memory)
    {
        double Median(IEnumerable<double> values)
        {
            var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
            return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        double M(string target, string scenario, Func<Run, double> pick) => Median(runs.Where(r => r.Target == target && r.Scenario == scenario).Select(pick));
        double Mem(string target, Func<Memory, double> pick) => Median(memory.Where(m => m.Target == target).Select(pick));
        static string F(double value, string format = "F2") => double.IsNaN(value) ? "—" : value.ToString(format, System.Globalization.CultureInfo.InvariantCulture);

        var text = new StringBuilder();
        text.AppendLine("```");
        text.Append(header);
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine("Raw runs:");
        text.AppendLine();
        text.Append(Markdown.Table(
            ["target", "rep", "scenario", "requests", "failed", "req/s", "TTFT p50 ms", "TTFT p99 ms", "total p50 ms", "proxy CPU ms/req"],
            runs.Select(r => (IReadOnlyList<string>)[r.Target, r.Rep.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Scenario, r.Load.Requests.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Load.Failures.ToString(System.Globalization.CultureInfo.InvariantCulture), F(r.Load.RequestsPerSecond, "F1"), F(r.Load.TtftP50), F(r.Load.TtftP99), F(r.Load.TotalP50), F(r.CpuMsPerRequest)])));
        text.AppendLine();
        text.Append(Markdown.Table(
            ["target", "rep", "RSS idle MiB", "RSS peak MiB"],
            memory.Where(m => m.Target != "direct").Select(m => (IReadOnlyList<string>)[m.Target, m.Rep.ToString(System.Globalization.CultureInfo.InvariantCulture), F(m.IdleMiB, "F1"), F(m.PeakMiB, "F1")])));
        text.AppendLine();
        text.AppendLine($"Medians of {runs.Select(r => r.Rep).Distinct().Count()} repetitions:");
        text.AppendLine();
        var rows = new List<IReadOnlyList<string>>
        {
            Row("TTFT p50, C=1 (ms)", t => M(t, "text C=1", r => r.Load.TtftP50)),
            Row("TTFT p99, C=1 (ms)", t => M(t, "text C=1", r => r.Load.TtftP99)),
            Row("total p50, C=1 (ms)", t => M(t, "text C=1", r => r.Load.TotalP50)),
            Row("TTFT p50, C=16 (ms)", t => M(t, "text C=16", r => r.Load.TtftP50)),
            Row("TTFT p99, C=16 (ms)", t => M(t, "text C=16", r => r.Load.TtftP99)),
            Row("requests/s, C=1", t => M(t, "text C=1", r => r.Load.RequestsPerSecond), "F1"),
            Row("requests/s, C=16", t => M(t, "text C=16", r => r.Load.RequestsPerSecond), "F1"),
            Row("tool call: TTFT p50, C=1 (ms)", t => M(t, "tool C=1", r => r.Load.TtftP50)),
            Row("tool call: total p50, C=1 (ms)", t => M(t, "tool C=1", r => r.Load.TotalP50)),
            Row("proxy CPU per request, C=1 (ms)", t => M(t, "text C=1", r => r.CpuMsPerRequest)),
            Row("proxy CPU per request, C=16 (ms)", t => M(t, "text C=16", r => r.CpuMsPerRequest)),
            Row("proxy RSS idle (MiB)", t => Mem(t, m => m.IdleMiB), "F1"),
            Row("proxy RSS peak (MiB)", t => Mem(t, m => m.PeakMiB), "F1"),
        };
        text.Append(Markdown.Table(["figure", .. targets], rows));

        if (targets.Contains("anyclaude"))
        {
            text.AppendLine();
            text.AppendLine("Ratios (AnyClaude ÷ other; for requests/s higher is better, for the rest lower is):");
            text.AppendLine();
            var ratioRows = new List<IReadOnlyList<string>>();
            bool withBaseline = targets.Contains("baseline");
            foreach (var (label, scenario, pick) in RatioFigures)
            {
                double mine = M("anyclaude", scenario, pick);
                string toDirect = targets.Contains("direct") ? F(mine / M("direct", scenario, pick)) : "—";
                string toRouter = targets.Contains("ccr") ? F(mine / M("ccr", scenario, pick)) : "—";
                ratioRows.Add(withBaseline ? [label, toDirect, toRouter, F(mine / M("baseline", scenario, pick))] : [label, toDirect, toRouter]);
            }

            text.Append(Markdown.Table(
                ["figure", "AnyClaude ÷ direct", "AnyClaude ÷ claude-code-router", .. withBaseline ? (string[])["AnyClaude ÷ baseline"] : []],
                ratioRows));
        }

        return text.ToString();

        IReadOnlyList<string> Row(string label, Func<string, double> value, string format = "F2") =>
            [label, .. targets.Select(t => F(value(t), format))];
    }

    private static string NodeVersion()
    {
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            string version = node.StandardOutput.ReadToEnd().Trim();
            node.WaitForExit(5000);
            return version;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not installed";
        }
    }

    internal static Task StopAsync(WebApplication app) => app.StopAsync();
}
