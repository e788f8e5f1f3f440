using System.Text.Json.Nodes;
using System.Text.Json;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Proxy.Cache;
using AnyClaude.Host.Requests;
using AnyClaude.TestSupport.RealEngine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static AnyClaude.Host.Tests.RealEngine.RealEngineRequests;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// Warm before asked (issue 23, point 1) on the real llama-server: a session leaves its head (system prompt and tools)
/// and the safety classifier's prompt in ~/.anyclaude/warm/&lt;backend&gt;.json (here a temporary folder), and the next
/// anyclaude warms them on a freshly started server, so the first turn and the first classifier request find them in
/// the server's cache (its own figures, through the tap). A warm-up never holds up a request that does not share it.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class PrewarmOnRealServerTests(ITestOutputHelper output) : IDisposable
{
    private const string UserAgent = "claude-cli/2.1.337 (external, cli)";
    private const string Backend = "llama-cpp";

    private readonly string _warm = Path.Combine(Path.GetTempPath(), "anyclaude-prewarm-" + Guid.NewGuid().ToString("N"));

    private static readonly string LongHead = Text("a long head to warm", words: 9_000);

    [Fact]
    public async Task After_a_session_the_file_holds_the_head_and_the_classifier_prompt_for_the_user_only()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1 });
        await using var tap = await UpstreamTap.StartAsync(server.Root);
        await using (var proxy = await WarmProxy.StartAsync(tap, _warm))
        {
            var turn = Turn("session-one", "Which word comes first?");
            var answer = await proxy.PostAsync(turn);
            await proxy.PostAsync(Classifier("ls -la"));

            // A later turn whose tools ToolSearch extended is not the head the next session starts with.
            var later = FollowUp(turn, answer.Text, "And the next one?");
            later["stream"] = true;
            later["tools"]!.AsArray().Add(new JsonObject { ["name"] = "WebFetch", ["description"] = "Fetches a page.", ["input_schema"] = new JsonObject { ["type"] = "object" } });
            await proxy.PostAsync(later);
        }

        string path = Path.Combine(_warm, Backend + ".json");
        File.Exists(path).ShouldBeTrue();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        string text = await File.ReadAllTextAsync(path);
        using var file = JsonDocument.Parse(text);
        file.RootElement.GetProperty("claudeCodeVersion").GetString().ShouldBe("2.1.337");
        var head = file.RootElement.GetProperty("prefixes").GetProperty("head").GetProperty("request");
        head.GetProperty("max_tokens").GetInt32().ShouldBe(1);
        head.GetProperty("system").EnumerateArray().Select(b => b.GetProperty("text").GetString()).ShouldBe([HeadSystem]);
        head.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ShouldBe(["lookup"]);
        var classifier = file.RootElement.GetProperty("prefixes").GetProperty("classifier").GetProperty("request");
        classifier.GetProperty("system")[0].GetProperty("text").GetString().ShouldBe(ClassifierSystem);
        // As the backend received them: the per-session billing header is gone, and nothing of the conversation is kept.
        text.ShouldNotContain("x-anthropic-billing-header");
        text.ShouldNotContain("Which word comes first");
        text.ShouldNotContain("ls -la");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_fresh_anyclaude_over_a_freshly_started_server_warms_the_head_and_the_classifier_prompt(int parallel)
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = parallel });
        await using var tap = await UpstreamTap.StartAsync(server.Root);
        await using (var first = await WarmProxy.StartAsync(tap, _warm))
        {
            await first.PostAsync(Turn("session-one", "Which word comes first?"));
            await first.PostAsync(Classifier("ls -la"));
        }

        int sent = tap.To("/chat/completions").Count;
        await using var proxy = await NextLaunchAsync(server, tap);
        await proxy.WaitWarmAsync(WarmKinds.Head, WarmKinds.Classifier);
        var warm = proxy.Prewarmer.WarmOf(Backend);
        output.WriteLine($"--parallel {parallel}: warm {string.Join(", ", warm.Select(w => $"{w.Kind} {w.Tokens} tokens"))}");

        var turn = await proxy.PostAndReadServerAsync(Turn("session-two", "Which word comes last?"));
        var classifier = await proxy.PostAndReadServerAsync(Classifier("rm -rf build"));
        output.WriteLine($"first turn: {turn.CachedTokens} of {turn.PromptTokens} cached; classifier: {classifier.CachedTokens} of {classifier.PromptTokens} cached");

        // Everything but the new user message (and the template's few tokens around it) was warm.
        turn.CachedTokens.ShouldBeGreaterThanOrEqualTo(warm.Single(w => w.Kind == WarmKinds.Head).Tokens - 10);
        classifier.CachedTokens.ShouldBeGreaterThanOrEqualTo(warm.Single(w => w.Kind == WarmKinds.Classifier).Tokens - 10);
        turn.CachedTokens.ShouldBeGreaterThan(turn.PromptTokens * 9 / 10);
        classifier.CachedTokens.ShouldBeGreaterThan(classifier.PromptTokens * 9 / 10);

        // Two slots: the warm-ups were pinned to different slots, and each request went to the slot of its own prefix.
        var slots = tap.To("/chat/completions").Skip(sent).Select(IdSlot).ToList();
        output.WriteLine($"id_slot of head warm-up, classifier warm-up, turn, classifier: {string.Join(", ", slots.Select(s => s?.ToString() ?? "-"))}");
        if (parallel > 1)
        {
            slots.ShouldAllBe(slot => slot != null);
            slots[0].ShouldNotBe(slots[1]);
            slots[2].ShouldBe(slots[0]);
            slots[3].ShouldBe(slots[1]);
        }

        using var status = await proxy.StatusAsync();
        var entry = AnyClaude.Host.Admin.ProxyStatus.Read(status.RootElement).Backends.Single();
        AnyClaude.Host.Cli.Commands.WarmText.Of(entry).ShouldBe($"warm: head {warm[0].Tokens:N0} tokens, classifier {warm[1].Tokens:N0} tokens");
    }

    [Fact]
    public async Task The_first_messages_system_reminders_and_environment_are_warmed_with_the_head_and_the_next_sessions_first_turn_finds_them_cached()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1 });
        await using var tap = await UpstreamTap.StartAsync(server.Root);
        await using (var first = await WarmProxy.StartAsync(tap, _warm))
        {
            await first.PostAsync(FirstTurn("session-one", "Which word comes first?"));
            await first.PostAsync(Classifier("ls -la"));
        }

        string kept = await File.ReadAllTextAsync(Path.Combine(_warm, Backend + ".json"));
        kept.ShouldContain("the project notes");
        kept.ShouldContain("the skills list");
        kept.ShouldContain("the environment");
        kept.ShouldNotContain("Which word comes first");

        await using var proxy = await NextLaunchAsync(server, tap);
        await proxy.WaitWarmAsync(WarmKinds.Head, WarmKinds.Classifier);
        int head = proxy.HeadTokens;

        var turn = await proxy.PostAndReadServerAsync(FirstTurn("session-two", "Which word comes last? Answer in one word, please."));
        output.WriteLine($"warm head {head} tokens; the next session's first turn: {turn.CachedTokens} of {turn.PromptTokens} cached");

        // System, tools, both reminders and the environment (Claude Code sends it after the user's words; the pipeline
        // moves it ahead of them) were warm: only the user's words were prefilled (the warm-up's "." and the
        // template's end of turn, 6 tokens, are all it had that the turn has not).
        turn.CachedTokens.ShouldBeGreaterThanOrEqualTo(head - 10);
        turn.CachedTokens.ShouldBeGreaterThan(turn.PromptTokens - 30);
        turn.PromptTokens.ShouldBeLessThan(head + 30);
        using var status = await proxy.StatusAsync();
        var entry = AnyClaude.Host.Admin.ProxyStatus.Read(status.RootElement).Backends.Single();
        AnyClaude.Host.Cli.Commands.WarmText.Of(entry).ShouldStartWith($"warm: head {head:N0} tokens");
    }

    [Fact]
    public async Task A_first_turn_whose_environment_changed_since_the_warm_up_still_finds_the_head_and_reminders_cached()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1 });
        await using var tap = await UpstreamTap.StartAsync(server.Root);
        await using (var first = await WarmProxy.StartAsync(tap, _warm))
        {
            await first.PostAsync(FirstTurn("session-one", "Which word comes first?", environment: "the environment of yesterday"));
        }

        await using var proxy = await NextLaunchAsync(server, tap);
        await proxy.WaitWarmAsync(WarmKinds.Head);
        int head = proxy.HeadTokens;

        var turn = await proxy.PostAndReadServerAsync(FirstTurn("session-two", "Which word comes last?", environment: "the environment of today"));
        output.WriteLine($"warm head {head} tokens; a first turn with another environment: {turn.CachedTokens} of {turn.PromptTokens} cached");

        // Everything up to the environment was warm; the environment (400 words, about 500 tokens) and the words were prefilled.
        turn.CachedTokens.ShouldBeGreaterThan(head - 800);
        turn.CachedTokens.ShouldBeLessThan(head - 100);
    }

    [Fact]
    public async Task A_request_that_does_not_share_a_warm_up_on_a_one_slot_server_cancels_it_and_the_warm_up_comes_back_when_idle()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1 });
        await using var tap = await UpstreamTap.StartAsync(server.Root);
        await using var proxy = await WarmingALongHeadAsync(server, tap);
        int warmUps = tap.To("/chat/completions").Count;

        var other = Body("another conversation", words: 40, stream: true);
        var answer = await PostAsync(proxy.Http, other);

        var exchanges = tap.To("/chat/completions");
        var warmUp = exchanges[warmUps - 1];
        var user = exchanges[warmUps];
        output.WriteLine($"warm-ups sent {proxy.Prewarmer.Sent}, cancelled {proxy.Prewarmer.Cancelled}; the request: {answer.PromptTokens} prompt tokens");
        proxy.Prewarmer.Cancelled.ShouldBe(1);
        // The server stopped the warm-up before its prefill was done (its stream has no usage: it never finished), so the
        // request did not wait for the long head.
        warmUp.RequestBody.ShouldContain("a long head to warm");
        warmUp.ResponseBody.ShouldNotContain("\"usage\"");
        ServerFigures.Of(user).PromptTokens.ShouldBe(answer.PromptTokens);

        // Idle again: the head is warmed after all, from what the stopped warm-up had prefilled (the slot kept it).
        await proxy.WaitWarmAsync(WarmKinds.Head);
        proxy.Prewarmer.Sent.ShouldBe(2);
        var again = ServerFigures.Of(tap.To("/chat/completions")[warmUps + 1]);
        output.WriteLine($"the warm-up again: {again.CachedTokens} of {again.PromptTokens} cached");
        again.CachedTokens.ShouldBeLessThan(again.PromptTokens * 9 / 10);
    }

    [Fact]
    public async Task A_cancelled_warm_up_is_not_sent_again_ahead_of_the_request_that_cancelled_it()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1 });
        await using var tap = await UpstreamTap.StartAsync(server.Root);
        await using var proxy = await WarmingALongHeadAsync(server, tap);
        int warmUps = tap.To("/chat/completions").Count;
        var other = Body("another conversation", words: 40, stream: true);

        // The request path gives way (which cancels the warm-up) and then takes its place in the backend's queue. On a
        // loaded machine the thread that cancelled is not always the next to run: here it reaches the queue 300 ms later.
        var backend = proxy.App.Services.GetRequiredService<BackendRegistry>().Get(Backend);
        var parsed = AnyClaude.Host.Http.MessagesRequestReader.Parse(System.Text.Encoding.UTF8.GetBytes(other.ToJsonString()), 64);
        await proxy.Prewarmer.GiveWayAsync(Backend, backend, parsed, CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var answer = await PostAsync(proxy.Http, other);

        var exchanges = tap.To("/chat/completions");
        output.WriteLine($"warm-ups sent {proxy.Prewarmer.Sent}, cancelled {proxy.Prewarmer.Cancelled}; upstream after the cancelled warm-up: "
            + string.Join(", ", exchanges.Skip(warmUps).Select(e => e.RequestBody.Contains("a long head to warm", StringComparison.Ordinal) ? "warm-up" : "request")));
        proxy.Prewarmer.Cancelled.ShouldBe(1);
        // The next thing the one-slot server got was the request, not the warm-up again (which it would have waited behind).
        exchanges[warmUps].RequestBody.ShouldNotContain("a long head to warm");
        ServerFigures.Of(exchanges[warmUps]).PromptTokens.ShouldBe(answer.PromptTokens);

        // Idle again: the warm-up resumes.
        await proxy.WaitWarmAsync(WarmKinds.Head);
        proxy.Prewarmer.Sent.ShouldBe(2);
    }

    [Fact]
    public async Task A_turn_that_shares_the_head_being_warmed_waits_for_it_and_finds_it_cached()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1 });
        await using var tap = await UpstreamTap.StartAsync(server.Root);
        await using var proxy = await WarmingALongHeadAsync(server, tap);

        var turn = await proxy.PostAndReadServerAsync(Turn("session-two", "Which word comes last?", LongHead));

        output.WriteLine($"joined {proxy.Prewarmer.Joined}; the turn: {turn.CachedTokens} of {turn.PromptTokens} cached");
        proxy.Prewarmer.Joined.ShouldBe(1);
        proxy.Prewarmer.Cancelled.ShouldBe(0);
        turn.CachedTokens.ShouldBeGreaterThan(turn.PromptTokens * 9 / 10);
    }

    [Fact]
    public async Task With_prewarm_false_nothing_is_kept_and_nothing_is_sent()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1 });
        await using var tap = await UpstreamTap.StartAsync(server.Root);
        await using (var first = await WarmProxy.StartAsync(tap, _warm))
        {
            await first.PostAsync(Turn("session-one", "Which word comes first?"));
        }

        File.Exists(Path.Combine(_warm, Backend + ".json")).ShouldBeTrue();
        string kept = await File.ReadAllTextAsync(Path.Combine(_warm, Backend + ".json"));
        int before = tap.To("/chat/completions").Count;
        await using var proxy = await WarmProxy.StartAsync(tap, _warm, prewarm: false);
        await Task.Delay(TimeSpan.FromSeconds(3));
        tap.To("/chat/completions").Count.ShouldBe(before);

        await proxy.PostAsync(Turn("session-two", "Which word comes last?", Text("another head", words: 300)));
        (await File.ReadAllTextAsync(Path.Combine(_warm, Backend + ".json"))).ShouldBe(kept);
        proxy.Prewarmer.Sent.ShouldBe(0);
    }

    [Fact]
    public async Task A_server_restart_warms_the_prefixes_again()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1 });
        await using var tap = await UpstreamTap.StartAsync(server.Root);
        await using var proxy = await WarmProxy.StartAsync(tap, _warm);
        await proxy.PostAsync(Turn("session-one", "Which word comes first?"));
        proxy.Prewarmer.Sent.ShouldBe(0);

        await server.KillAsync();
        var prober = proxy.App.Services.GetRequiredService<BackendProber>();
        await prober.ProbeAllAsync(CancellationToken.None);
        await Task.Delay(Prewarmer.HealthLook * 2);
        await server.StartAgainAsync();
        await prober.ProbeAllAsync(CancellationToken.None);
        await proxy.WaitWarmAsync(WarmKinds.Head);

        proxy.Prewarmer.Sent.ShouldBe(1);
        var turn = await proxy.PostAndReadServerAsync(Turn("session-two", "Which word comes last?"));
        output.WriteLine($"after the restart: {turn.CachedTokens} of {turn.PromptTokens} cached");
        turn.CachedTokens.ShouldBeGreaterThan(turn.PromptTokens * 9 / 10);
    }

    /// <summary>
    /// A first anyclaude sees a session with a long head; the server restarts and a second anyclaude starts warming it:
    /// returned while the server is prefilling the warm-up.
    /// </summary>
    private async Task<WarmProxy> WarmingALongHeadAsync(RealLlamaServer server, UpstreamTap tap)
    {
        await using (var first = await WarmProxy.StartAsync(tap, _warm))
        {
            await first.PostAsync(Turn("session-one", "Which word comes first?", LongHead));
        }

        var proxy = await NextLaunchAsync(server, tap);
        await WaitUntilAsync(async () => (await SlotsAsync(server)).Any(s => s.Prefilling), "the warm-up prefills");
        return proxy;
    }

    /// <summary>The next launch: the server restarted (nothing cached) and a fresh anyclaude over it, with what the last one remembered.</summary>
    private async Task<WarmProxy> NextLaunchAsync(RealLlamaServer server, UpstreamTap tap)
    {
        await server.KillAsync();
        await server.StartAgainAsync();
        return await WarmProxy.StartAsync(tap, _warm);
    }

    public void Dispose()
    {
        if (Directory.Exists(_warm))
        {
            Directory.Delete(_warm, recursive: true);
        }
    }

    private static int? IdSlot(TappedExchange exchange)
    {
        using var body = JsonDocument.Parse(exchange.RequestBody);
        return body.RootElement.TryGetProperty("id_slot", out var slot) ? slot.GetInt32() : null;
    }

    private static readonly string HeadSystem = Text("the shared system prompt", words: 2_000);

    private static readonly string ClassifierSystem = RequestClassifier.ClassifierMark + " " + Text("the classifier's rules", words: 2_500);

    /// <summary>A Claude Code main turn: a billing header (stripped by the pipeline), the system prompt, one tool, the session id.</summary>
    private static JsonObject Turn(string session, string question, string? system = null) => new()
    {
        ["model"] = "claude-sonnet-4-5",
        ["max_tokens"] = 4,
        ["stream"] = true,
        ["system"] = new JsonArray(
            new JsonObject { ["type"] = "text", ["text"] = $"x-anthropic-billing-header: cc_version=2.1.337.{session}; cc_entrypoint=cli;" },
            new JsonObject { ["type"] = "text", ["text"] = system ?? HeadSystem }),
        ["tools"] = new JsonArray(new JsonObject
        {
            ["name"] = "lookup",
            ["description"] = "Looks a word up in the notes.",
            ["input_schema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["word"] = new JsonObject { ["type"] = "string" } } },
        }),
        ["metadata"] = new JsonObject { ["user_id"] = JsonSerializer.Serialize(new { session_id = session }) },
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = question }),
    };

    /// <summary>
    /// Claude Code's first turn: the first user message starts with system reminders (CLAUDE.md, skills: the same in
    /// every session of a project), then the user's words; a <c>role: "system"</c> message follows (the environment:
    /// working directory, platform, date, deferred tools; the same in every session of a project that day).
    /// </summary>
    private static JsonObject FirstTurn(string session, string question, string environment = "the environment")
    {
        var turn = Turn(session, question);
        turn["messages"] = new JsonArray(
            new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "text", ["text"] = "<system-reminder>\n# claudeMd\n" + Text("the project notes", words: 1_500) + "\n</system-reminder>" },
                    new JsonObject { ["type"] = "text", ["text"] = "<system-reminder>\n" + Text("the skills list", words: 300) + "\n</system-reminder>" },
                    new JsonObject { ["type"] = "text", ["text"] = question }),
            },
            new JsonObject
            {
                ["role"] = "system",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = Text(environment, words: 400), ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } }),
            });
        return turn;
    }

    /// <summary>The auto-mode safety classifier: its long system prompt, a short transcript.</summary>
    private static JsonObject Classifier(string command) => new()
    {
        ["model"] = "claude-sonnet-4-5",
        ["max_tokens"] = 4,
        ["stream"] = true,
        ["system"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = ClassifierSystem }),
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"<transcript>Bash: {command}</transcript>" }),
    };

    /// <summary>anyclaude over the tap with its warm folder set (as the configuration loader sets it to ~/.anyclaude/warm).</summary>
    private sealed class WarmProxy : IAsyncDisposable
    {
        private readonly UpstreamTap _tap;

        private WarmProxy(WebApplication app, UpstreamTap tap, Uri root)
        {
            App = app;
            _tap = tap;
            Http = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromMinutes(10) };
            Http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        }

        public WebApplication App { get; }

        public HttpClient Http { get; }

        public Prewarmer Prewarmer => App.Services.GetRequiredService<Prewarmer>();

        /// <summary>The server's prompt count of the last head warm-up.</summary>
        public int HeadTokens => Prewarmer.WarmOf(Backend).Single(w => w.Kind == WarmKinds.Head).Tokens;

        public static async Task<WarmProxy> StartAsync(UpstreamTap tap, string warm, bool prewarm = true)
        {
            var options = new AnyClaudeOptions
            {
                Mode = Backend,
                Host = "127.0.0.1",
                Port = 0,
                TraceDirectory = Path.Combine(Path.GetTempPath(), "anyclaude-tests-traces"),
                Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
                {
                    [Backend] = new() { Name = Backend, Kind = Backend, Url = new Uri(tap.Root, "v1") },
                },
                Prewarm = prewarm,
                WarmDirectory = warm,
            };
            var app = ProxyApp.Build(options, RealEngineProxy.Factories, _ => { });
            await app.StartAsync();
            var address = ProxyApp.ListeningAddress(app);
            return new WarmProxy(app, tap, new Uri($"http://127.0.0.1:{address.Port}/"));
        }

        public Task<Answer> PostAsync(JsonObject body) => RealEngineRequests.PostAsync(Http, body);

        /// <summary>Sends <paramref name="body"/> once no warm-up is running and returns what the server said about its prompt.</summary>
        public async Task<ServerFigures> PostAndReadServerAsync(JsonObject body)
        {
            int before = _tap.To("/chat/completions").Count;
            await PostAsync(body);
            var exchanges = _tap.To("/chat/completions");
            exchanges.Count.ShouldBe(before + 1);
            return ServerFigures.Of(exchanges[^1]);
        }

        public Task WaitWarmAsync(params string[] kinds) => WaitUntilAsync(
            () => Task.FromResult(kinds.All(kind => Prewarmer.WarmOf(Backend).Any(w => w.Kind == kind))),
            $"warm: {string.Join(", ", kinds)}",
            seconds: 300);

        public async Task<JsonDocument> StatusAsync()
        {
            using var response = await Http.GetAsync("/admin/status");
            string body = await response.Content.ReadAsStringAsync();
            return JsonDocument.Parse(body);
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
