using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AnyClaude.TestSupport.RealEngine;

namespace AnyClaude.LoadBench;

/// <summary>
/// Sessions on the real engine (docs/benchmarks.md §7): a real llama.cpp <c>llama-server</c> (scripts/real-engine) with the
/// tiny model, measured side by side with no proxy in the same run. <c>direct</c> is Claude Code pointed straight at
/// llama-server's own <c>/v1/messages</c>; <c>anyclaude</c> (and <c>baseline</c>, another build given with
/// <c>--baseline PATH</c>) is <c>anyclaude --proxy-only</c> with the <c>llama-cpp</c> backend. Every target gets a fresh
/// server process, so no target inherits another's cache.
/// <list type="bullet">
/// <item><b>warm turn</b>: a Claude Code-shaped conversation, its first turn sent cold, then <c>--reps</c> follow-ups, each
/// the previous turn plus one round; the time to the first text delta of each follow-up, at a prompt inside the window
/// (~a quarter of it) and past half of it.</item>
/// <item><b>two conversations</b> (<c>--parallel 2</c>): conversation A's cold long first turn is in flight when
/// conversation B's short one arrives; B's time to first token (a server with a free slot answers B at once).</item>
/// </list>
/// </summary>
internal static class RealEngineExperiment
{
    public static async Task<int> RunAsync(Options options)
    {
        var targets = options.String("targets", "direct,anyclaude").Split(',');
        int reps = options.Int("reps", 5);
        int window = options.Int("window", 32768);
        int maxTokens = options.Int("max-tokens", 8);
        var warm = new Dictionary<string, Dictionary<string, List<Answer>>>();
        var wait = new Dictionary<string, List<double>>();
        foreach (string target in targets)
        {
            warm[target] = new Dictionary<string, List<Answer>>();
            // The filler is common English words, about 6 bytes a token with Qwen2.5's tokenizer: a quarter of the window,
            // and 55% of it (the server's own count is reported).
            foreach (var (size, bytes) in new[] { ("inside the window", window * 6 / 4), ("past half of it", window * 6 * 55 / 100) })
            {
                await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { ContextSize = window, Parallel = 1, MaxAnswerTokens = 8 });
                await using var proxy = await StartTargetAsync(target, server, options);
                using var client = new MessagesClient(proxy?.BaseUrl ?? server.Root);
                var session = new Session($"{target}-{size}", bytes, maxTokens);
                var answers = new List<Answer>();
                for (int turn = 0; turn <= reps; turn++)
                {
                    double cpuBefore = proxy?.PreciseCpuMs() ?? 0;
                    var answer = await client.SendAsync(session.Turn(turn));
                    answers.Add(answer);
                    string cpu = proxy is null ? "" : $", proxy CPU {proxy.PreciseCpuMs() - cpuBefore,5:F1} ms";
                    Console.WriteLine($"{target,-10} {size,-18} turn {turn + 1}: prompt {answer.InputTokens + answer.CachedTokens,6} tokens, cached {answer.CachedTokens,6}, TTFT {answer.TtftMs,8:F1} ms{cpu}");
                }

                warm[target][size] = answers;
                await Task.Delay(200); // the server logs a task's timings as it ends it
                Console.WriteLine($"{target,-10} {size,-18} the server's prefill per task, in order: {PromptEvals(server.Output)}");
            }

            if (options.String("two-conversations", "true") == "true")
            {
                wait[target] = [];
                for (int rep = 0; rep < Math.Max(1, reps / 2); rep++)
                {
                    await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { ContextSize = window * 2, Parallel = 2, MaxAnswerTokens = 8 });
                    await using var proxy = await StartTargetAsync(target, server, options);
                    using var client = new MessagesClient(proxy?.BaseUrl ?? server.Root);
                    var longA = client.SendAsync(new Session($"{target}-A{rep}", window * 6 / 2, maxTokens).Turn(0));
                    await Task.Delay(500);
                    var b = await client.SendAsync(new Session($"{target}-B{rep}", 9_000, maxTokens).Turn(0));
                    var a = await longA;
                    wait[target].Add(b.TtftMs);
                    Console.WriteLine($"{target,-10} two conversations: B {b.InputTokens + b.CachedTokens} tokens TTFT {b.TtftMs:F0} ms while A ({a.InputTokens + a.CachedTokens} tokens) took {a.TtftMs:F0} ms");
                }
            }
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"real llama-server (tiny Qwen2, scripts/real-engine), window {window} tokens, max_tokens {maxTokens}, {reps} follow-ups per size; medians:");
        text.AppendLine();
        var rows = new List<IReadOnlyList<string>>();
        foreach (string size in warm[targets[0]].Keys)
        {
            rows.Add([$"turn 1 (cold), {size}", .. targets.Select(t => Ms(warm[t][size][0].TtftMs, warm, targets, size, first: true))]);
            rows.Add([$"warm follow-up, {size}", .. targets.Select(t => Ms(Statistics.Median(warm[t][size].Skip(1).Select(a => a.TtftMs)), warm, targets, size, first: false))]);
            rows.Add([$"cached share of follow-ups, {size}", .. targets.Select(t => $"{100 * Statistics.Median(warm[t][size].Skip(1).Select(a => (double)a.CachedTokens / Math.Max(1, a.InputTokens + a.CachedTokens))):F1}%")]);
            rows.Add([$"prompt tokens (server's count), {size}", .. targets.Select(t => (warm[t][size][^1].InputTokens + warm[t][size][^1].CachedTokens).ToString(CultureInfo.InvariantCulture))]);
        }

        if (wait.Count > 0)
        {
            rows.Add(["two conversations: B's TTFT while A prefills", .. targets.Select(t => $"{Statistics.Median(wait[t]):F0} ms")]);
        }

        text.Append(Markdown.Table(["figure", .. targets], rows));
        Console.WriteLine();
        Console.WriteLine(text);
        if (options.String("out", "") is { Length: > 0 } outFile)
        {
            File.WriteAllText(outFile, text.ToString());
        }

        return 0;
    }

    private static string Ms(double ms, Dictionary<string, Dictionary<string, List<Answer>>> warm, string[] targets, string size, bool first)
    {
        if (!warm.TryGetValue("direct", out var direct) || targets[0] != "direct")
        {
            return $"{ms:F1} ms";
        }

        double baseline = first ? direct[size][0].TtftMs : Statistics.Median(direct[size].Skip(1).Select(a => a.TtftMs));
        return $"{ms:F1} ms ({ms - baseline:+0.0;-0.0} ms)";
    }

    /// <summary>The server's own prefill time of each task its log still holds (<c>prompt eval time = … ms / N tokens</c>).</summary>
    private static string PromptEvals(string log) => string.Join(", ",
        System.Text.RegularExpressions.Regex.Matches(log, @"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens")
            .Select(match => $"{match.Groups[1].Value} ms/{match.Groups[2].Value}"));

    private static async Task<ProxyProcess?> StartTargetAsync(string target, RealLlamaServer server, Options options)
    {
        var llamaCpp = new Dictionary<string, string>
        {
            ["ANYCLAUDE_MODE"] = "llama-cpp",
            ["LLAMA_CPP_URL"] = server.V1.AbsoluteUri,
        };
        foreach (var (key, value) in options.Pairs("env"))
        {
            llamaCpp[key] = value;
        }

        return target switch
        {
            "direct" => null,
            "anyclaude" => await ProxyProcess.StartAnyClaudeAsync(Paths.AnyClaude(), server.Root, options.String("proxy-cpu", "0-1"), llamaCpp),
            "baseline" => await ProxyProcess.StartAnyClaudeAsync(
                options.String("baseline", "") is { Length: > 0 } path ? path : throw new ArgumentException("target 'baseline' needs --baseline PATH/TO/anyclaude"),
                server.Root,
                options.String("proxy-cpu", "0-1"),
                llamaCpp),
            _ => throw new ArgumentException($"unknown target {target} (direct, anyclaude, baseline)"),
        };
    }

    /// <summary>
    /// One Claude Code-shaped session: a system prompt of about <c>systemBytes</c> (billing header first, as Claude Code
    /// sends it), a few tools, and turns that each add an assistant answer and a user message; <c>cache_control</c> on
    /// the last block, moving every turn. The text differs per session so no session finds another's prefix.
    /// </summary>
    private sealed class Session(string name, int systemBytes, int maxTokens)
    {
        public byte[] Turn(int turn)
        {
            var system = new JsonArray
            {
                Block($"x-anthropic-billing-header: cc_version=2.1.337.{name.GetHashCode() & 0xfff:x3}; cc_entrypoint=cli;"),
                Block("You are Claude Code, Anthropic's official CLI for Claude."),
                Block($"Session {name}. " + Filler(systemBytes)),
            };
            var tools = new JsonArray();
            foreach (string tool in new[] { "Bash", "Edit", "Read", "Write" })
            {
                tools.Add(new JsonObject
                {
                    ["name"] = tool,
                    ["description"] = $"{tool} a file or run a command in the project.",
                    ["input_schema"] = JsonNode.Parse("""{"type":"object","properties":{"file_path":{"type":"string"},"command":{"type":"string"}},"required":[]}"""),
                });
            }

            var messages = new JsonArray { Message("user", "Refactor the parser and run the tests.") };
            for (int i = 0; i < turn; i++)
            {
                messages.Add(Message("assistant", $"Step {i}: the parser reads tokens one at a time."));
                messages.Add(Message("user", $"Now look at file number {i} and tell me what it does."));
            }

            var last = (JsonArray)messages[^1]!["content"]!;
            last[^1]!["cache_control"] = new JsonObject { ["type"] = "ephemeral" };
            var body = new JsonObject
            {
                ["model"] = "claude-opus-5-5",
                // Claude Code asks 32,000 for a model it does not know; the server stops at -n 8 either way.
                ["max_tokens"] = maxTokens,
                ["stream"] = true,
                ["system"] = system,
                ["tools"] = tools,
                ["messages"] = messages,
                ["metadata"] = new JsonObject { ["user_id"] = $"{{\"session_id\":\"{name}\"}}" },
            };
            return Encoding.UTF8.GetBytes(body.ToJsonString());
        }

        private static JsonObject Block(string text) => new() { ["type"] = "text", ["text"] = text };

        private static JsonObject Message(string role, string text) => new() { ["role"] = role, ["content"] = new JsonArray { Block(text) } };

        private string Filler(int bytes)
        {
            string[] words = ["parser", "token", "stream", "buffer", "module", "test", "build", "config", "route", "cache", "server", "client", "thread", "queue", "file", "index"];
            var text = new StringBuilder(bytes + 16);
            var random = new Random(name.Length * 7919 + bytes);
            while (text.Length < bytes)
            {
                text.Append(words[random.Next(words.Length)]).Append(random.Next(4) == 0 ? ". " : " ");
            }

            return text.ToString();
        }
    }
}
