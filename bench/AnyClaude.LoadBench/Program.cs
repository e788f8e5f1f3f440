using System.Globalization;
using System.Text;
using AnyClaude.LoadBench;
using Microsoft.Extensions.Hosting;

// Subcommands (see docs/benchmarks.md; bench/e2e.sh runs `run` pinned to core 0):
//   fake-openai [--port N]        the fast OpenAI-compatible backend, until Ctrl+C
//   fake-anthropic [--port N]     the direct (no-proxy) Anthropic fake, until Ctrl+C
//   load --url URL [--concurrency C] [--seconds S] [--tool] [--body FILE]
//   run [--reps 3] [--seconds 5] [--warmup 2] [--harness-warmup 15] [--targets direct,anyclaude,ccr,baseline] [--baseline PATH] [--proxy-cpu 1] [--env KEY=VALUE]... [--out FILE]
//   ab [--pairs 5000] [--reps 3] [--warmup-pairs 1000] [--routes 10] [--proxy-cpu 1] [--a PATH --b PATH] [--out FILE]   interleaved A/B at C=1: no routes vs N never-matching routes, or two builds (--a/--b, no routes)
//   real [--targets direct,anyclaude,baseline] [--reps 5] [--window 32768] [--max-tokens 8] [--baseline PATH] [--two-conversations false] [--env KEY=VALUE]... [--out FILE]   sessions on the real llama-server
//   session [--targets direct,anyclaude,baseline] [--reps 3] [--window 65536] [--parallel 1] [--idle-seconds 60] [--wait-warm true|false] [--warm-timeout-seconds 600] [--follow-ups 2] [--reminder-kb 20] [--classifier-kb 144] [--baseline PATH] [--env KEY=VALUE]... [--out FILE]   the next-launch session on the real llama-server
//   memory [--baseline PATH] [--anyclaude PATH] [--idle-seconds 3] [--load-seconds 4] [--plugin MlxLm] [--env KEY=VALUE]... [--out FILE]   what the proxy's memory is made of, idle and after load, against another build
//   cold [--targets direct,anyclaude,variant,baseline] [--reps 5] [--requests 12] [--gap-ms 300] [--variant-env KEY=VALUE]... [--baseline PATH] [--out FILE]   a fresh proxy's first requests (cold code)
//   cache [--targets direct,anyclaude,anyclaude-rewarm,anyclaude-side,ccr] [--gap-ms N] [--cancelled keep|drop] [--baseline PATH] [--out FILE]   the prefix-cache experiment
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = Options.Parse(args.Skip(1).ToArray());
switch (args.FirstOrDefault())
{
    case "fake-openai":
        await using (var app = await FakeServers.StartOpenAIAsync(options.Int("port", 0)))
        {
            Console.WriteLine($"fake OpenAI backend on http://127.0.0.1:{app.Port()}/v1");
            await app.WaitForShutdownAsync();
        }

        return 0;
    case "fake-anthropic":
        await using (var app = await FakeServers.StartAnthropicAsync(options.Int("port", 0)))
        {
            Console.WriteLine($"fake Anthropic API on http://127.0.0.1:{app.Port()}");
            await app.WaitForShutdownAsync();
        }

        return 0;
    case "load":
    {
        bool tool = options.Flag("tool");
        using var load = new LoadGenerator(new Uri(options.String("url", "http://127.0.0.1:8082")), options.Int("concurrency", 1));
        byte[] body = options.String("body", "") is { Length: > 0 } file ? File.ReadAllBytes(file) : LoadGenerator.RequestBody(tool);
        var result = await load.RunAsync(body, tool, options.Int("concurrency", 1), TimeSpan.FromSeconds(options.Double("seconds", 5)), 100_000);
        Console.WriteLine($"{result.Requests} ok, {result.Failures} failed ({result.FirstError}), {result.RequestsPerSecond:F1} req/s, TTFT p50 {result.TtftP50:F2} ms p99 {result.TtftP99:F2} ms, total p50 {result.TotalP50:F2} ms");
        return result.Failures == 0 ? 0 : 1;
    }

    case "run":
        return await EndToEnd.RunAsync(options);
    case "cache":
        return await CacheExperiment.RunAsync(options);
    case "ab":
        return await AbExperiment.RunAsync(options);
    case "real":
        return await RealEngineExperiment.RunAsync(options);
    case "session":
        return await NextLaunchSession.RunAsync(options);
    case "memory":
        return await MemoryExperiment.RunAsync(options);
    case "cold":
        return await ColdProxyExperiment.RunAsync(options);
    default:
        Console.Error.WriteLine("usage: AnyClaude.LoadBench fake-openai|fake-anthropic|load|run|cache|ab|real|session|memory|cold [options]  (see Program.cs)");
        return 2;
}

internal sealed class Options
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument {args[i]}");
            }

            string key = args[i][2..];
            string value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
            if (!options._values.TryGetValue(key, out var list))
            {
                options._values[key] = list = [];
            }

            list.Add(value);
        }

        return options;
    }

    public string String(string key, string fallback) => _values.TryGetValue(key, out var v) ? v[^1] : fallback;

    public IReadOnlyList<string> All(string key) => _values.TryGetValue(key, out var v) ? v : [];

    /// <summary>Every <c>KEY=VALUE</c> given for <paramref name="key"/> (e.g. <c>--env DOTNET_gcServer=1</c>), the last one for a repeated KEY.</summary>
    public IReadOnlyDictionary<string, string> Pairs(string key)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in All(key))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            pairs[equals < 0 ? pair : pair[..equals]] = equals < 0 ? "" : pair[(equals + 1)..];
        }

        return pairs;
    }

    public int Int(string key, int fallback) => _values.TryGetValue(key, out var v) ? int.Parse(v[^1], CultureInfo.InvariantCulture) : fallback;

    public double Double(string key, double fallback) => _values.TryGetValue(key, out var v) ? double.Parse(v[^1], CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string key) => _values.ContainsKey(key);
}

internal static class Paths
{
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AnyClaude.Extensible.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("no AnyClaude.Extensible.sln above the harness");
    }

    public static string AnyClaude() => Require(Path.Combine(RepositoryRoot(), "src", "Host", "bin", "Release", "net10.0", "anyclaude"), "dotnet build -c Release src/Host");

    public static string ClaudeCodeRouter() => Require(
        Path.Combine(RepositoryRoot(), "bench", ".ccr", "node_modules", "@musistudio", "claude-code-router", "dist", "cli.js"),
        "bench/e2e.sh installs it: npm install --prefix bench/.ccr @musistudio/claude-code-router@1.0.73");

    private static string Require(string path, string hint) => File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: {hint}");
}

internal static class Markdown
{
    public static string Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", header) + " |");
        text.AppendLine("|" + string.Concat(header.Select((_, i) => i == 0 ? "---|" : "---:|")));
        foreach (var row in rows)
        {
            text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        return text.ToString();
    }
}
