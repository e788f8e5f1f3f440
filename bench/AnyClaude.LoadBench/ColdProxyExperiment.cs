using System.Globalization;
using System.Text;

namespace AnyClaude.LoadBench;

/// <summary>
/// A session's first requests through a freshly started proxy, one at a time with a user's pause between them, against
/// the fast fakes: what a proxy adds while its own code is still cold (tier-0 JIT, first calls), which the harness's
/// warmed-up C=1 figure does not show and a real session of a few dozen requests mostly runs in.
/// Every repetition starts a fresh process per proxy target; the targets take turns within a repetition.
/// </summary>
internal static class ColdProxyExperiment
{
    public static async Task<int> RunAsync(Options options)
    {
        var targets = options.String("targets", "direct,anyclaude").Split(',');
        int reps = options.Int("reps", 5);
        int requests = options.Int("requests", 12);
        int gapMs = options.Int("gap-ms", 300);
        string cpu = options.String("proxy-cpu", "1");
        var env = options.Pairs("env");
        var variantEnv = options.Pairs("variant-env");
        var variant = new Dictionary<string, string>(env);
        foreach (var (key, value) in variantEnv)
        {
            variant[key] = value;
        }

        byte[] body = LoadGenerator.RequestBody(tool: false);

        await using var openAI = await FakeServers.StartOpenAIAsync();
        await using var anthropic = await FakeServers.StartAnthropicAsync();
        var backend = new Uri($"http://127.0.0.1:{openAI.Port()}");
        var ttft = targets.ToDictionary(t => t, _ => Enumerable.Range(0, requests).Select(_ => new List<double>()).ToArray());
        var cpuMs = targets.ToDictionary(t => t, _ => Enumerable.Range(0, requests).Select(_ => new List<double>()).ToArray());
        for (int rep = 0; rep < reps; rep++)
        {
            foreach (string target in targets)
            {
                await using var proxy = target switch
                {
                    "direct" => null,
                    "anyclaude" => await ProxyProcess.StartAnyClaudeAsync(Paths.AnyClaude(), backend, cpu, env),
                    "variant" => await ProxyProcess.StartAnyClaudeAsync(Paths.AnyClaude(), backend, cpu, variant),
                    "baseline" => await ProxyProcess.StartAnyClaudeAsync(
                        options.String("baseline", "") is { Length: > 0 } path ? path : throw new ArgumentException("target 'baseline' needs --baseline PATH/TO/anyclaude"),
                        backend,
                        cpu,
                        env),
                    _ => throw new ArgumentException($"unknown target {target} (direct, anyclaude, variant, baseline)"),
                };
                using var client = new MessagesClient(proxy?.BaseUrl ?? new Uri($"http://127.0.0.1:{anthropic.Port()}"));
                // A request's CPU includes what it sets off before the next one (tier-1 compilation, GC, timers): the
                // proxy's CPU from the end of one request to the end of the next, the gap included.
                double cpuBefore = proxy?.PreciseCpuMs() ?? 0;
                for (int i = 0; i < requests; i++)
                {
                    await Task.Delay(gapMs);
                    var answer = await client.SendAsync(body);
                    ttft[target][i].Add(answer.TtftMs);
                    if (proxy is not null)
                    {
                        double cpuNow = proxy.PreciseCpuMs();
                        cpuMs[target][i].Add(cpuNow - cpuBefore);
                        cpuBefore = cpuNow;
                    }
                }

                Console.WriteLine($"rep {rep + 1} {target,-10} " + string.Join(' ', ttft[target].Select(list => list[^1].ToString("F2", CultureInfo.InvariantCulture))));
            }
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"A fresh proxy's first {requests} requests (Claude Code-shaped, {body.Length / 1024} KiB), {gapMs} ms apart, against the fast fakes; TTFT medians of {reps} repetitions (a fresh process each), proxy on core {cpu}{(variantEnv.Count > 0 ? $"; variant: {string.Join(' ', variantEnv.Select(p => $"{p.Key}={p.Value}"))}" : "")}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end.");
        text.AppendLine();
        var rows = Enumerable.Range(0, requests).Select(i => (IReadOnlyList<string>)[
            (i + 1).ToString(CultureInfo.InvariantCulture),
            .. targets.Select(t => Cell(Statistics.Median(ttft[t][i]), targets.Contains("direct") && t != "direct" ? Statistics.Median(ttft["direct"][i]) : double.NaN))]).ToList();
        rows.Add(["proxy CPU per request, 2–" + requests.ToString(CultureInfo.InvariantCulture) + " (median)",
            .. targets.Select(t => t == "direct" ? "" : $"{Statistics.Median(cpuMs[t].Skip(1).SelectMany(x => x)):F2} ms")]);
        rows.Add(["proxy CPU of requests 2–" + requests.ToString(CultureInfo.InvariantCulture) + " (sum, median of repetitions)",
            .. targets.Select(t => t == "direct" ? "" : $"{Statistics.Median(Enumerable.Range(0, reps).Select(r => cpuMs[t].Skip(1).Sum(list => list[r]))):F0} ms")]);
        rows.Add(["2–" + requests.ToString(CultureInfo.InvariantCulture) + " (median)",
            .. targets.Select(t => Cell(Statistics.Median(ttft[t].Skip(1).SelectMany(x => x)), targets.Contains("direct") && t != "direct" ? Statistics.Median(ttft["direct"].Skip(1).SelectMany(x => x)) : double.NaN))]);
        text.Append(Markdown.Table(["request", .. targets], rows));
        Console.WriteLine();
        Console.WriteLine(text);
        if (options.String("out", "") is { Length: > 0 } outFile)
        {
            File.WriteAllText(outFile, text.ToString());
        }

        return 0;
    }

    private static string Cell(double ms, double direct) =>
        double.IsNaN(direct) ? $"{ms:F2} ms" : $"{ms:F2} ms ({ms - direct:+0.00;-0.00})";
}
