using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.LoadBench;

/// <summary>
/// The prefix-cache experiment (issues 9 and 12): a backend with a one-slot prefix cache (like older mlx-lm: it keeps
/// the KV cache of the last prompt only), a five-turn tool-using conversation, after turn 2 Claude Code's side
/// requests (2.1.197's topic call and 2.1.332's title call), and before turn 4 (a tool turn) a safety-classifier-shaped
/// request. For each request: which server answered, the share of its prompt the cache held and the time to the first
/// text delta. The prompt the "server" sees is its chat-template order: system, tool definitions, then the messages;
/// it is compared with the previous prompt the same server saw. Targets: <c>direct</c> (no proxy), <c>anyclaude</c>
/// (one backend), <c>anyclaude-rewarm</c> (one backend, <c>rewarm: true</c>), <c>anyclaude-side</c> (a second backend that the routes give <c>background</c> and
/// <c>class: classifier</c>), <c>ccr</c> (claude-code-router).
/// </summary>
internal static class CacheExperiment
{
    /// <summary>Simulated prefill speed: 200 µs per uncached prompt token (4 bytes a token), 5,000 tokens per second.</summary>
    private const double MsPerUncachedToken = 0.2;

    private const string ClassifierMark = "You are a security monitor for autonomous AI coding agents.";

    /// <param name="Server">main, side, or proxy (answered without a model).</param>
    private sealed record Step(string Label, string Server, double CachedShare, int PromptTokens, int CachedTokens, double TtftMs);

    public static async Task<int> RunAsync(Options options)
    {
        var targets = options.String("targets", "direct,anyclaude,anyclaude-side").Split(',');
        bool keepCancelled = options.String("cancelled", "keep") switch
        {
            "keep" => true,
            "drop" => false,
            var other => throw new ArgumentException($"--cancelled is keep (llama.cpp) or drop (mlx-lm), not {other}"),
        };
        var gap = TimeSpan.FromMilliseconds(double.Parse(options.String("gap-ms", "0"), CultureInfo.InvariantCulture));
        var results = new Dictionary<string, List<Step>>();
        var classifierReached = new Dictionary<string, bool>();
        var rewarms = new Dictionary<string, (int Sent, int Cancelled)>();
        foreach (string target in targets)
        {
            var cache = new PrefixCache(keepCancelled);
            var sideCache = new PrefixCache(keepCancelled);
            await using var openAI = await FakeServers.StartAsync(0, app => app.MapPost("/v1/chat/completions", context => ServeAsync(context, cache, anthropic: false)));
            await using var anthropicFake = await FakeServers.StartAsync(0, app => app.MapPost("/v1/messages", context => ServeAsync(context, cache, anthropic: true)));
            await using var sideFake = await FakeServers.StartAsync(0, app => app.MapPost("/v1/chat/completions", context => ServeAsync(context, sideCache, anthropic: false)));
            var backend = new Uri($"http://127.0.0.1:{openAI.Port()}");
            ProxyProcess? proxy = target switch
            {
                "direct" => null,
                "anyclaude" => await ProxyProcess.StartAnyClaudeAsync(Paths.AnyClaude(), backend, options.String("proxy-cpu", "1"), new Dictionary<string, string>()),
                "anyclaude-rewarm" => await ProxyProcess.StartAnyClaudeAsync(Paths.AnyClaude(), backend, options.String("proxy-cpu", "1"), new Dictionary<string, string> { ["ANYCLAUDE_REWARM"] = "true" }),
                // Another build (--baseline PATH) with rewarm on: the behaviour before a change, against the same fake.
                "baseline-rewarm" => await ProxyProcess.StartAnyClaudeAsync(
                    options.String("baseline", "") is { Length: > 0 } baselinePath ? baselinePath : throw new ArgumentException("target 'baseline-rewarm' needs --baseline PATH/TO/anyclaude"),
                    backend,
                    options.String("proxy-cpu", "1"),
                    new Dictionary<string, string> { ["ANYCLAUDE_REWARM"] = "true" }),
                "anyclaude-side" => await ProxyProcess.StartAnyClaudeAsync(Paths.AnyClaude(), backend, options.String("proxy-cpu", "1"), SideBackend(new Uri($"http://127.0.0.1:{sideFake.Port()}/v1"))),
                "ccr" => await ProxyProcess.StartClaudeCodeRouterAsync(Paths.ClaudeCodeRouter(), backend, options.String("proxy-cpu", "1")),
                _ => throw new ArgumentException($"unknown target {target}"),
            };
            await using var _ = proxy;
            using var load = new LoadGenerator(proxy?.BaseUrl ?? new Uri($"http://127.0.0.1:{anthropicFake.Port()}"), 1);
            var steps = new List<Step>();
            foreach (var (label, body, side) in Conversation())
            {
                if (label == "turn 4" && gap > TimeSpan.Zero)
                {
                    await Task.Delay(gap); // the Bash tool the classifier allowed runs before turn 4 goes out
                }

                int mainBefore = cache.Requests, sideBefore = sideCache.Requests;
                var (ttft, _) = await load.OneAsync(body, tool: false, checkText: !side);
                var (server, (prompt, cached)) = cache.Requests > mainBefore ? ("main", cache.Last)
                    : sideCache.Requests > sideBefore ? ("side", sideCache.Last)
                    : ("proxy", (0, 0));
                steps.Add(new Step(label, server, prompt == 0 ? 0 : (double)cached / prompt, prompt, cached, ttft));
                Console.WriteLine($"{target,-14} {label,-26} {server,-5} cached {100.0 * cached / Math.Max(1, prompt),5:F1}% of {prompt,6} tokens, TTFT {ttft,8:F1} ms");
            }

            results[target] = steps;
            rewarms[target] = (cache.Rewarms, cache.RewarmsCancelled);
            classifierReached[target] = cache.Prompts.Concat(sideCache.Prompts).Any(p => p.Contains(ClassifierMark, StringComparison.Ordinal));
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"one-slot prefix cache, prefill {MsPerUncachedToken * 1000:0} µs per uncached token (4 bytes a token), {gap.TotalMilliseconds:0} ms between the classifier's answer and turn 4, a cancelled prefill {(keepCancelled ? "kept" : "dropped")}; server, cached share / time to first token:");
        text.AppendLine();
        var labels = results.Values.First().Select(s => s.Label).ToList();
        text.Append(Markdown.Table(
            ["request", .. targets],
            labels.Select((label, i) => (IReadOnlyList<string>)[label, .. targets.Select(t => Cell(results[t][i]))])));
        text.AppendLine();
        text.Append(Markdown.Table(
            ["target", "turn 3 (after topic + title): cached / turn 2's prompt", "turn 4 (after classifier): cached / turn 3's prompt", "summed TTFT", "× direct", "classifier reached a model", "rewarms (cancelled)"],
            targets.Select(t => (IReadOnlyList<string>)[
                t,
                $"{100.0 * AfterSide(results[t], "turn 3", "turn 2"):F1}%",
                $"{100.0 * AfterSide(results[t], "turn 4", "turn 3"):F1}%",
                $"{results[t].Sum(s => s.TtftMs):F0} ms",
                results.TryGetValue("direct", out var direct) ? $"{results[t].Sum(s => s.TtftMs) / direct.Sum(s => s.TtftMs):F2}" : "-",
                classifierReached[t] ? "yes" : "no",
                $"{rewarms[t].Sent} ({rewarms[t].Cancelled})"])));
        Console.WriteLine();
        Console.WriteLine(text);
        if (options.String("out", "") is { Length: > 0 } outFile)
        {
            File.WriteAllText(outFile, text.ToString());
        }

        return 0;
    }

    private static string Cell(Step step) => step.Server == "proxy"
        ? $"proxy / {step.TtftMs:F0} ms"
        : $"{(step.Server == "side" ? "side " : "")}{100 * step.CachedShare:F0}% / {step.TtftMs:F0} ms";

    /// <summary>Cached tokens of <paramref name="turn"/> over the prompt tokens of <paramref name="previous"/>: how much of the previous turn survived.</summary>
    private static double AfterSide(List<Step> steps, string turn, string previous)
    {
        var before = steps.Single(s => s.Label == previous);
        var after = steps.Single(s => s.Label == turn);
        return before.PromptTokens == 0 ? 0 : Math.Min(1.0, (double)after.CachedTokens / before.PromptTokens);
    }

    /// <summary>A second backend for Claude Code's side calls: the routes send <c>background</c> and <c>class: classifier</c> there.</summary>
    private static Dictionary<string, string> SideBackend(Uri url) => new()
    {
        ["ANYCLAUDE_BACKENDS__SIDE__KIND"] = "openai",
        ["ANYCLAUDE_BACKENDS__SIDE__URL"] = url.AbsoluteUri,
        ["ANYCLAUDE_BACKENDS__SIDE__MODEL"] = "side-model",
        ["ANYCLAUDE_ROUTES__0__WHEN__BACKGROUND"] = "true",
        ["ANYCLAUDE_ROUTES__0__BACKEND"] = "side",
        ["ANYCLAUDE_ROUTES__1__WHEN__CLASS"] = "classifier",
        ["ANYCLAUDE_ROUTES__1__BACKEND"] = "side",
    };

    /// <summary>
    /// Five turns of one session, each the previous one plus a tool_use/tool_result round; after turn 2 the topic and
    /// the title side calls; before turn 4 the safety classifier judging the tool call turn 3 asked for.
    /// </summary>
    private static IEnumerable<(string Label, byte[] Body, bool Side)> Conversation()
    {
        var full = JsonNode.Parse(AnyClaude.Benchmarks.ClaudeCodeRequest.Create())!.AsObject();
        var messages = full["messages"]!.AsArray();
        for (int turn = 1; turn <= 5; turn++)
        {
            if (turn == 4)
            {
                yield return ("safety classifier", Classifier(), true);
            }

            var request = full.DeepClone().AsObject();
            var kept = new JsonArray();
            foreach (var message in messages.Take(1 + (2 * (turn - 1))))
            {
                var copy = message!.DeepClone();
                foreach (var block in copy["content"]!.AsArray())
                {
                    block!.AsObject().Remove("cache_control");
                }

                kept.Add(copy);
            }

            // cache_control sits on the last block and moves every turn, as Claude Code sends it.
            kept[^1]!["content"]!.AsArray()[^1]!["cache_control"] = new JsonObject { ["type"] = "ephemeral" };
            request["messages"] = kept;
            yield return ($"turn {turn}", Encoding.UTF8.GetBytes(request.ToJsonString()), false);
            if (turn == 2)
            {
                yield return ("topic (2.1.197)", """
                    {"model":"claude-3-5-haiku-20241022","max_tokens":512,"stream":true,
                     "system":[{"type":"text","text":"Analyze if this message indicates a new conversation topic. If it does, extract a 2-3 word title that captures the new topic. Format your response as a JSON object with two fields: 'isNewTopic' (boolean) and 'title' (string, or null if isNewTopic is false). Only include these fields, no other text."}],
                     "messages":[{"role":"user","content":"Refactor the parser and run the tests."}]}
                    """u8.ToArray(), true);
                yield return ("title (2.1.332)", """
                    {"model":"claude-haiku-5-5","max_tokens":32000,"stream":true,"tools":[],
                     "system":[{"type":"text","text":"You are Claude Code, Anthropic's official CLI for Claude."},{"type":"text","text":"You are naming a coding session. Reply with a short title in sentence case, as JSON."}],
                     "messages":[{"role":"user","content":"<session>\nRefactor the parser and run the tests.\n</session>"}],
                     "output_config":{"format":{"type":"json_schema","schema":{"type":"object","properties":{"title":{"type":"string"}},"required":["title"],"additionalProperties":false}}}}
                    """u8.ToArray(), true);
            }
        }
    }

    /// <summary>The auto-mode safety classifier's shape: its own long system prompt (8 KB here; 141 KB in 2.1.332), the transcript to judge, stage 1.</summary>
    private static byte[] Classifier()
    {
        string rules = ClassifierMark + " " + string.Concat(Enumerable.Range(0, 160).Select(i => $"Rule {i}: block actions that destroy data outside the project. "));
        var body = new JsonObject
        {
            ["model"] = "claude-sonnet-5",
            ["max_tokens"] = 64,
            ["stream"] = true,
            ["stop_sequences"] = new JsonArray { "</block>" },
            ["thinking"] = new JsonObject { ["type"] = "disabled" },
            ["system"] = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = rules } },
            ["messages"] = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = "<transcript>Bash: dotnet test tests/Parser.Tests</transcript>" } },
        };
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    private static async Task ServeAsync(HttpContext context, PrefixCache cache, bool anthropic)
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        string prompt = anthropic ? AnthropicPrompt(document.RootElement) : OpenAIPrompt(document.RootElement);
        bool rewarm = IsOne(document.RootElement, "max_tokens") || IsOne(document.RootElement, "max_completion_tokens");
        var (promptTokens, cachedTokens) = await cache.PrefillAsync(prompt, rewarm, context.RequestAborted);
        if (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        context.Response.ContentType = "text/event-stream";
        foreach (var frame in anthropic ? Streams.Anthropic(tool: false) : Streams.OpenAI(tool: false, promptTokens, cachedTokens))
        {
            await context.Response.BodyWriter.WriteAsync(frame);
        }
    }

    private static bool IsOne(JsonElement body, string field) =>
        body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number && value.GetInt32() == 1;

    /// <summary>The prompt as a chat template lays it out: system, tools, then the conversation.</summary>
    private static string OpenAIPrompt(JsonElement body)
    {
        var prompt = new StringBuilder();
        var messages = body.GetProperty("messages").EnumerateArray().ToList();
        int first = 0;
        if (messages.Count > 0 && messages[0].GetProperty("role").GetString() == "system")
        {
            prompt.Append("<system>").Append(Content(messages[0])).Append('\n');
            first = 1;
        }

        if (body.TryGetProperty("tools", out var tools))
        {
            foreach (var tool in tools.EnumerateArray())
            {
                var function = tool.GetProperty("function");
                prompt.Append("<tool>").Append(function.GetProperty("name").GetString()).Append(function.TryGetProperty("description", out var d) ? d.GetString() : "")
                    .Append(function.TryGetProperty("parameters", out var p) ? p.GetRawText() : "").Append('\n');
            }
        }

        foreach (var message in messages.Skip(first))
        {
            prompt.Append('<').Append(message.GetProperty("role").GetString()).Append('>').Append(Content(message));
            if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    var function = call.GetProperty("function");
                    prompt.Append("<call>").Append(function.GetProperty("name").GetString()).Append(function.GetProperty("arguments").GetString());
                }
            }

            prompt.Append('\n');
        }

        return prompt.ToString();

        static string Content(JsonElement message) => message.TryGetProperty("content", out var content)
            ? content.ValueKind switch
            {
                JsonValueKind.String => content.GetString()!,
                JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(part => part.TryGetProperty("text", out var t) ? t.GetString() : "")),
                _ => "",
            }
            : "";
    }

    private static string AnthropicPrompt(JsonElement body)
    {
        var prompt = new StringBuilder("<system>");
        if (body.TryGetProperty("system", out var system))
        {
            prompt.Append(system.ValueKind == JsonValueKind.String ? system.GetString() : string.Join("\n\n", system.EnumerateArray().Select(b => b.GetProperty("text").GetString())));
        }

        prompt.Append('\n');
        if (body.TryGetProperty("tools", out var tools))
        {
            foreach (var tool in tools.EnumerateArray())
            {
                prompt.Append("<tool>").Append(tool.GetProperty("name").GetString()).Append(tool.TryGetProperty("description", out var d) ? d.GetString() : "")
                    .Append(tool.GetProperty("input_schema").GetRawText()).Append('\n');
            }
        }

        foreach (var message in body.GetProperty("messages").EnumerateArray())
        {
            prompt.Append('<').Append(message.GetProperty("role").GetString()).Append('>');
            var content = message.GetProperty("content");
            if (content.ValueKind == JsonValueKind.String)
            {
                prompt.Append(content.GetString());
            }
            else
            {
                foreach (var block in content.EnumerateArray())
                {
                    prompt.Append(block.GetProperty("type").GetString() switch
                    {
                        "text" => block.GetProperty("text").GetString(),
                        "tool_use" => "<call>" + block.GetProperty("name").GetString() + block.GetProperty("input").GetRawText(),
                        "tool_result" => "<result>" + (block.GetProperty("content") is { ValueKind: JsonValueKind.String } c ? c.GetString() : block.GetProperty("content").GetRawText()),
                        _ => "",
                    });
                }
            }

            prompt.Append('\n');
        }

        return prompt.ToString();
    }

    /// <summary>
    /// One cache slot, as llama-server with <c>--parallel 1</c> keeps it (tools/server/server-context.cpp): one
    /// request at a time (the next is deferred until the slot is released); a prompt reuses the common prefix with
    /// what the slot holds, which is cut to that prefix; the rest is prefilled in batches of 2,048 tokens, each batch
    /// entering the slot as it is done. A client that goes away is noticed at the next batch boundary and the slot
    /// keeps what was prefilled so far (<c>server_slot::release</c> keeps <c>prompt.tokens</c>); with
    /// <c>--cancelled drop</c> it keeps only the common prefix it started from, as mlx-lm's batch generator drops a
    /// removed request's partial KV cache (<c>BatchGenerator.remove</c>).
    /// </summary>
    private sealed class PrefixCache(bool keepCancelled)
    {
        private const int BatchTokens = 2048;
        private readonly SemaphoreSlim _slotBusy = new(1, 1);
        private readonly Lock _gate = new();
        private string _slot = "";

        public (int PromptTokens, int CachedTokens) Last { get; private set; }

        public int Requests { get; private set; }

        public List<string> Prompts { get; } = [];

        /// <summary>Waits for the slot, prefills the uncached part batch by batch and returns the prompt and cached tokens.</summary>
        /// <summary>Rewarms (<c>max_tokens: 1</c>) this slot saw; they are not counted in <see cref="Requests"/> or <see cref="Last"/>.</summary>
        public int Rewarms { get; private set; }

        /// <summary>Rewarms whose client went away before their prefill ended.</summary>
        public int RewarmsCancelled { get; private set; }

        public async Task<(int PromptTokens, int CachedTokens)> PrefillAsync(string prompt, bool rewarm, CancellationToken clientGone)
        {
            await _slotBusy.WaitAsync(CancellationToken.None);
            try
            {
                int common;
                lock (_gate)
                {
                    common = prompt.AsSpan().CommonPrefixLength(_slot);
                    _slot = prompt[..common];
                    if (rewarm)
                    {
                        Rewarms++;
                    }
                    else
                    {
                        Requests++;
                        Prompts.Add(prompt);
                        Last = (prompt.Length / 4, common / 4);
                    }
                }

                for (int done = common; done < prompt.Length && !clientGone.IsCancellationRequested;)
                {
                    int batch = Math.Min(BatchTokens * 4, prompt.Length - done);
                    await Task.Delay(TimeSpan.FromMilliseconds(batch / 4 * MsPerUncachedToken), CancellationToken.None);
                    done += batch;
                    lock (_gate)
                    {
                        _slot = prompt[..done];
                    }
                }

                if (clientGone.IsCancellationRequested)
                {
                    lock (_gate)
                    {
                        RewarmsCancelled += rewarm ? 1 : 0;
                        if (!keepCancelled)
                        {
                            _slot = prompt[..common];
                        }
                    }
                }

                return (prompt.Length / 4, common / 4);
            }
            finally
            {
                _slotBusy.Release();
            }
        }
    }
}
