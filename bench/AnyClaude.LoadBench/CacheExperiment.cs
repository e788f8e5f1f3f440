using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.LoadBench;

/// <summary>
/// Item 3 of the benchmark issue: a backend with a one-slot prefix cache (like older mlx-lm: it keeps the KV cache of
/// the last prompt only), a 5-turn tool-using conversation, and one Claude Code-style background request (short
/// system prompt, no tools, a haiku model name) after turn 2. For each request: the share of the prompt the cache
/// held and the time to the first text delta. The prompt the "server" sees is its chat-template order: system, tool
/// definitions, then the messages; it is compared with the previous prompt the same server saw.
/// </summary>
internal static class CacheExperiment
{
    /// <summary>Simulated prefill speed: 20,000 prompt tokens per second (4 bytes a token).</summary>
    private const double MsPerUncachedToken = 0.05;

    private sealed record Step(string Label, double CachedShare, int PromptTokens, double TtftMs);

    public static async Task<int> RunAsync(Options options)
    {
        var targets = options.String("targets", "direct,anyclaude,ccr").Split(',');
        var results = new Dictionary<string, List<Step>>();
        foreach (string target in targets)
        {
            var cache = new PrefixCache();
            await using var openAI = await FakeServers.StartAsync(0, app => app.MapPost("/v1/chat/completions", context => ServeAsync(context, cache, anthropic: false)));
            await using var anthropicFake = await FakeServers.StartAsync(0, app => app.MapPost("/v1/messages", context => ServeAsync(context, cache, anthropic: true)));
            var backend = new Uri($"http://127.0.0.1:{openAI.Port()}");
            ProxyProcess? proxy = target switch
            {
                "direct" => null,
                "anyclaude" => await ProxyProcess.StartAnyClaudeAsync(Paths.AnyClaude(), backend, options.String("proxy-cpu", "1"), new Dictionary<string, string>()),
                "ccr" => await ProxyProcess.StartClaudeCodeRouterAsync(Paths.ClaudeCodeRouter(), backend, options.String("proxy-cpu", "1")),
                _ => throw new ArgumentException($"unknown target {target}"),
            };
            await using var _ = proxy;
            using var load = new LoadGenerator(proxy?.BaseUrl ?? new Uri($"http://127.0.0.1:{anthropicFake.Port()}"), 1);
            var steps = new List<Step>();
            foreach (var (label, body) in Conversation())
            {
                var (ttft, _) = await load.OneAsync(body, tool: false);
                var (prompt, cached) = cache.Last;
                steps.Add(new Step(label, prompt == 0 ? 0 : (double)cached / prompt, prompt, ttft));
                Console.WriteLine($"{target,-9} {label,-22} cached {100.0 * cached / Math.Max(1, prompt),5:F1}% of {prompt,6} tokens, TTFT {ttft,8:F1} ms");
            }

            results[target] = steps;
        }

        var text = new StringBuilder();
        text.AppendLine($"one-slot prefix cache, prefill {MsPerUncachedToken} ms per uncached token (4 bytes a token); cached share / time to first token:");
        text.AppendLine();
        var labels = results.Values.First().Select(s => s.Label).ToList();
        text.Append(Markdown.Table(
            ["request", .. targets],
            labels.Select((label, i) => (IReadOnlyList<string>)[label, .. targets.Select(t => $"{100 * results[t][i].CachedShare:F0}% / {results[t][i].TtftMs:F0} ms")])));
        Console.WriteLine();
        Console.WriteLine(text);
        if (options.String("out", "") is { Length: > 0 } outFile)
        {
            File.WriteAllText(outFile, text.ToString());
        }

        return 0;
    }

    /// <summary>Five turns of one session, each the previous one plus a tool_use/tool_result round, and the background request after turn 2.</summary>
    private static IEnumerable<(string Label, byte[] Body)> Conversation()
    {
        var full = JsonNode.Parse(AnyClaude.Benchmarks.ClaudeCodeRequest.Create())!.AsObject();
        var messages = full["messages"]!.AsArray();
        for (int turn = 1; turn <= 5; turn++)
        {
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
            yield return ($"turn {turn}", Encoding.UTF8.GetBytes(request.ToJsonString()));
            if (turn == 2)
            {
                yield return ("background (haiku)", """
                    {"model":"claude-haiku-4-5","max_tokens":512,"stream":true,
                     "system":[{"type":"text","text":"Summarize this coding conversation in a title of at most 6 words."}],
                     "messages":[{"role":"user","content":"Refactor the parser and run the tests."}]}
                    """u8.ToArray());
            }
        }
    }

    private static async Task ServeAsync(HttpContext context, PrefixCache cache, bool anthropic)
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        string prompt = anthropic ? AnthropicPrompt(document.RootElement) : OpenAIPrompt(document.RootElement);
        var (promptTokens, cachedTokens) = cache.Admit(prompt);
        await Task.Delay(TimeSpan.FromMilliseconds((promptTokens - cachedTokens) * MsPerUncachedToken));
        context.Response.ContentType = "text/event-stream";
        foreach (var frame in anthropic ? Streams.Anthropic(tool: false) : Streams.OpenAI(tool: false, promptTokens, cachedTokens))
        {
            await context.Response.BodyWriter.WriteAsync(frame);
        }
    }

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

    /// <summary>One cache slot: the previous prompt. A new prompt reuses its common prefix and replaces it.</summary>
    private sealed class PrefixCache
    {
        private readonly Lock _gate = new();
        private string _slot = "";

        public (int PromptTokens, int CachedTokens) Last { get; private set; }

        public (int PromptTokens, int CachedTokens) Admit(string prompt)
        {
            lock (_gate)
            {
                int common = prompt.AsSpan().CommonPrefixLength(_slot);
                _slot = prompt;
                Last = (prompt.Length / 4, common / 4);
                return Last;
            }
        }
    }
}
