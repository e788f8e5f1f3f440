using System.Globalization;
using System.Text;
using AnyClaude.TestSupport.RealEngine;

namespace AnyClaude.LoadBench;

/// <summary>
/// The next-launch session on the real engine (docs/benchmarks.md §8, issue 23): what a user waits for when they start
/// Claude Code again the next day. Per repetition and target, on a real <c>llama-server</c> (scripts/real-engine):
/// <list type="number">
/// <item>first launch (proxy targets only): anyclaude starts and sees one whole session (first turn, title, safety
/// classifier, follow-ups), so whatever it remembers about Claude Code's prompts it can remember;</item>
/// <item>both restart: anyclaude is stopped (SIGTERM, as a user quits), the server is killed and started again (its
/// prompt cache is gone), then anyclaude starts again with the same <c>HOME</c> and port;</item>
/// <item>the user types for <c>--idle-seconds</c> (what anyclaude may use to warm prompts before it is asked);</item>
/// <item>the measured session, a new conversation of the same Claude Code version: first turn, title, classifier,
/// follow-ups; the time to the first content delta of each.</item>
/// </list>
/// <c>direct</c> is Claude Code's bodies sent straight to llama-server's own <c>/v1/messages</c>: it keeps nothing
/// outside the server, so it gets the server restart and the idle time and skips the first launch (what the first
/// launch left in the server is gone with the restart either way).
/// </summary>
internal static class NextLaunchSession
{
    private sealed record Step(string Label, Answer Answer);

    /// <param name="IdleMs">the time from the restart to the measured session: <c>--idle-seconds</c>, or longer when the proxy's warm-up needed it.</param>
    /// <param name="Warm">whether the proxy reported its remembered prompts warm before the measured session (null: not waited for).</param>
    private sealed record Run(List<Step> FirstLaunch, List<Step> Measured, double ProxyCpuMs, double ProxyRssPeakMiB, double IdleMs, bool? Warm);

    /// <summary>What the first launch leaves anyclaude to warm: the conversation's head and the safety classifier's prompt.</summary>
    private static readonly string[] WarmKinds = ["head", "classifier"];

    public static async Task<int> RunAsync(Options options)
    {
        var targets = options.String("targets", "direct,anyclaude").Split(',');
        int reps = options.Int("reps", 3);
        int window = options.Int("window", 65536);
        int parallel = options.Int("parallel", 1);
        var idle = TimeSpan.FromSeconds(options.Double("idle-seconds", 60));
        int followUps = options.Int("follow-ups", 2);
        var shape = new ClaudeCodeSession.Shape(
            ReminderBytes: options.Int("reminder-kb", 20) * 1024,
            ClassifierBytes: options.Int("classifier-kb", 144) * 1024);
        var runs = targets.ToDictionary(t => t, _ => new List<Run>());
        string loadBefore = LoadAverage();
        var clock = DateTime.UtcNow;
        for (int rep = 0; rep < reps; rep++)
        {
            // Alternate the order so a machine that speeds up or slows down over the run favours no target.
            foreach (string target in rep % 2 == 0 ? targets : targets.Reverse())
            {
                var run = await RunOnceAsync(target, rep, window, parallel, idle, followUps, shape, options);
                runs[target].Add(run);
            }

            // The report so far after every repetition: a long run cut short still leaves its figures.
            if (options.String("out", "") is { Length: > 0 } partial && rep < reps - 1)
            {
                File.WriteAllText(partial, Report(targets, runs, window, parallel, idle, shape, loadBefore, clock));
            }
        }

        string report = Report(targets, runs, window, parallel, idle, shape, loadBefore, clock);
        Console.WriteLine();
        Console.WriteLine(report);
        if (options.String("out", "") is { Length: > 0 } outFile)
        {
            File.WriteAllText(outFile, report);
        }

        return 0;
    }

    private static async Task<Run> RunOnceAsync(string target, int rep, int window, int parallel, TimeSpan idle, int followUps, ClaudeCodeSession.Shape shape, Options options)
    {
        // -c is the whole context, shared by the slots: each slot gets the window.
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { ContextSize = window * parallel, Parallel = parallel, MaxAnswerTokens = 8 });
        string? executable = target switch
        {
            "direct" => null,
            "anyclaude" => Paths.AnyClaude(),
            "baseline" => options.String("baseline", "") is { Length: > 0 } path ? path : throw new ArgumentException("target 'baseline' needs --baseline PATH/TO/anyclaude"),
            _ => throw new ArgumentException($"unknown target {target} (direct, anyclaude, baseline)"),
        };
        var environment = new Dictionary<string, string>
        {
            ["ANYCLAUDE_MODE"] = "llama-cpp",
            ["LLAMA_CPP_URL"] = server.V1.AbsoluteUri,
        };
        foreach (var (key, value) in options.Pairs("env"))
        {
            environment[key] = value;
        }

        string cpu = options.String("proxy-cpu", "0-1");
        string home = Directory.CreateTempSubdirectory("anyclaude-session-").FullName;
        int port = ProxyProcess.FreePort();
        try
        {
            var firstLaunch = new List<Step>();
            if (executable is not null)
            {
                await using var first = await ProxyProcess.StartAnyClaudeAsync(executable, server.Root, cpu, environment, home, port);
                firstLaunch = await SessionAsync(first.BaseUrl, new ClaudeCodeSession(shape, $"first-{rep}"), followUps, $"{target} (first launch)", first);
                await first.StopAsync();
            }

            await server.KillAsync();
            await server.StartAgainAsync();
            ProxyProcess? proxy = executable is null ? null : await ProxyProcess.StartAnyClaudeAsync(executable, server.Root, cpu, environment, home, port);
            await using (proxy)
            {
                Console.WriteLine($"{target,-10} rep {rep + 1}: server and {(proxy is null ? "no proxy" : "anyclaude")} restarted; idle {idle.TotalSeconds:0} s");
                var idleClock = System.Diagnostics.Stopwatch.StartNew();
                await Task.Delay(idle);

                // The user types for as long as the warm-up takes (on an idle machine ~35 s for ~50k tokens; minutes on a
                // loaded one): what is measured is a warm next launch, and how long the warm-up took is reported.
                bool? warm = null;
                if (proxy is not null && target == "anyclaude" && options.String("wait-warm", "true") != "false")
                {
                    warm = await proxy.WaitWarmAsync("llama-cpp", WarmKinds, TimeSpan.FromSeconds(options.Double("warm-timeout-seconds", 600)));
                    Console.WriteLine($"{target,-10} rep {rep + 1}: {(warm.Value ? "warm" : "NOT warm")} after {idleClock.Elapsed.TotalSeconds:0} s");
                }

                double idleMs = idleClock.Elapsed.TotalMilliseconds;
                double cpuBefore = proxy?.CpuMs() ?? 0;
                var measured = await SessionAsync(proxy?.BaseUrl ?? server.Root, new ClaudeCodeSession(shape, $"next-{rep}"), followUps, target, proxy);
                foreach (string line in proxy?.OutputWith("warm") ?? [])
                {
                    Console.WriteLine($"{target,-10} log: {line.Trim()}");
                }

                return new Run(firstLaunch, measured, proxy is null ? double.NaN : proxy.CpuMs() - cpuBefore, proxy?.StatusMiB("VmHWM") ?? double.NaN, idleMs, warm);
            }
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task<List<Step>> SessionAsync(Uri root, ClaudeCodeSession session, int followUps, string label, ProxyProcess? proxy)
    {
        using var client = new MessagesClient(root);
        var steps = new List<Step>();
        foreach (var request in session.Requests(followUps))
        {
            Answer answer;
            try
            {
                answer = await client.SendAsync(request.Body, request.Headers, "/v1/messages?beta=true");
            }
            catch (HttpRequestException exception) when (proxy is not null)
            {
                throw new InvalidOperationException($"{label} {request.Label}: {exception.Message}; the proxy: {proxy.Describe()}", exception);
            }

            steps.Add(new Step(request.Label, answer));
            Console.WriteLine($"{label,-26} {request.Label,-12} prompt {answer.PromptTokens,6} tokens, cached {answer.CachedTokens,6}, TTFT {answer.TtftMs,9:F1} ms");
        }

        return steps;
    }

    private static string Report(string[] targets, Dictionary<string, List<Run>> runs, int window, int parallel, TimeSpan idle, ClaudeCodeSession.Shape shape, string loadBefore, DateTime started)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Next-launch session on the real llama-server (tiny Qwen2, scripts/real-engine): -c {window * parallel} --parallel {parallel} (window {window} tokens a slot), -n 8; idle {idle.TotalSeconds:0} s after the restart; {runs[targets[0]].Count} repetitions, medians; {started:yyyy-MM-dd HH:mm}–{DateTime.UtcNow:HH:mm} UTC, load average before {loadBefore}, after {LoadAverage()}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Bodies: Claude Code 2.1.337's shape (system-reminder {shape.ReminderBytes / 1024} KB, classifier system prompt {shape.ClassifierBytes / 1024} KB).");
        text.AppendLine();
        var labels = runs[targets[0]][0].Measured.Select(s => s.Label).ToList();
        string? direct = targets.Contains("direct") ? "direct" : null;
        var header = new List<string> { "request", "prompt tokens (server)" };
        foreach (string target in targets)
        {
            header.Add($"{target}: TTFT (cached tokens)");
            if (direct is not null && target != direct)
            {
                header.Add($"{target} ÷ direct");
            }
        }

        var rows = new List<IReadOnlyList<string>>();
        for (int i = 0; i < labels.Count; i++)
        {
            var row = new List<string> { labels[i], Statistics.Median(runs[targets[0]].Select(r => (double)r.Measured[i].Answer.PromptTokens)).ToString("F0", CultureInfo.InvariantCulture) };
            foreach (string target in targets)
            {
                double ttft = Statistics.Median(runs[target].Select(r => r.Measured[i].Answer.TtftMs));
                row.Add($"{ttft:F0} ms ({Statistics.Median(runs[target].Select(r => (double)r.Measured[i].Answer.CachedTokens)):F0})");
                if (direct is not null && target != direct)
                {
                    row.Add($"{ttft / Statistics.Median(runs[direct].Select(r => r.Measured[i].Answer.TtftMs)):F2}×");
                }
            }

            rows.Add(row);
        }

        var sum = new List<string> { "**sum of TTFT**", "" };
        foreach (string target in targets)
        {
            double total = Statistics.Median(runs[target].Select(r => r.Measured.Sum(s => s.Answer.TtftMs)));
            sum.Add($"**{total:F0} ms**");
            if (direct is not null && target != direct)
            {
                sum.Add($"**{total / Statistics.Median(runs[direct].Select(r => r.Measured.Sum(s => s.Answer.TtftMs))):F2}×**");
            }
        }

        rows.Add(sum);

        // The tokens each target had the server prefill while the user waited: the same effect as the sum of TTFT, but
        // not moved by how busy the machine was (on a shared machine a cold prefill's time varies 2-4x from minute to minute).
        var prefilled = new List<string> { "tokens prefilled (uncached), sum", "" };
        foreach (string target in targets)
        {
            double tokens = Statistics.Median(runs[target].Select(r => (double)r.Measured.Sum(s => s.Answer.InputTokens)));
            prefilled.Add($"{tokens:F0}");
            if (direct is not null && target != direct)
            {
                prefilled.Add($"{tokens / Statistics.Median(runs[direct].Select(r => (double)r.Measured.Sum(s => s.Answer.InputTokens))):F2}×");
            }
        }

        rows.Add(prefilled);
        text.Append(Markdown.Table(header, rows));
        text.AppendLine();
        var proxies = targets.Where(t => t != "direct").ToList();
        if (proxies.Count > 0)
        {
            text.AppendLine("The proxy targets' first launch (cold server, before the restart), and the proxy process during the measured session:");
            text.AppendLine();
            text.Append(Markdown.Table(
                ["target", .. labels.Select(l => $"first launch: {l}"), "first launch: sum", "proxy CPU in the measured session", "proxy RSS peak"],
                proxies.Select(t => (IReadOnlyList<string>)[
                    t,
                    .. labels.Select((_, i) => $"{Statistics.Median(runs[t].Select(r => r.FirstLaunch[i].Answer.TtftMs)):F0} ms"),
                    $"{Statistics.Median(runs[t].Select(r => r.FirstLaunch.Sum(s => s.Answer.TtftMs))):F0} ms",
                    $"{Statistics.Median(runs[t].Select(r => r.ProxyCpuMs)):F0} ms",
                    $"{Statistics.Median(runs[t].Select(r => r.ProxyRssPeakMiB)):F1} MiB"])));
            text.AppendLine();
        }

        text.AppendLine("Idle from the restart to the measured session, per repetition (with `--wait-warm true`, the default, the anyclaude target idles until it reports its remembered prompts warm): " + string.Join("; ", targets.Select(t => $"{t} " + string.Join(", ", runs[t].Select(r => $"{r.IdleMs / 1000:F0} s{(r.Warm is { } w ? (w ? " (warm)" : " (NOT warm)") : "")}")))));
        text.AppendLine();
        text.AppendLine("Raw sums of TTFT per repetition: " + string.Join("; ", targets.Select(t => $"{t} " + string.Join(", ", runs[t].Select(r => $"{r.Measured.Sum(s => s.Answer.TtftMs):F0}")) + " ms")));
        return text.ToString();
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
