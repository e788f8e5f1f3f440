



using AnyClaude.Host.Cli.Launcher;

namespace AnyClaude.Host.Tests.Launcher;

public sealed class ClaudeEnvironmentTests
{
    private static readonly Uri Proxy = new("http://127.0.0.1:8080/");

    [Fact]
    public void Claude_is_pointed_at_the_proxy_with_one_auth_variable_and_the_defaults()
    {
        var changes = ClaudeEnvironment.Changes(Proxy, "token", 16384, new Dictionary<string, string?> { ["ANTHROPIC_API_KEY"] = "sk-user" });

        changes["ANTHROPIC_BASE_URL"].ShouldBe("http://127.0.0.1:8080");
        changes["ANTHROPIC_AUTH_TOKEN"].ShouldBe("token");
        changes.ContainsKey("ANTHROPIC_API_KEY").ShouldBeTrue();
        changes["ANTHROPIC_API_KEY"].ShouldBeNull();
        changes["CLAUDE_CODE_ATTRIBUTION_HEADER"].ShouldBe("0");
        changes["CLAUDE_CODE_MAX_OUTPUT_TOKENS"].ShouldBe("16384");
        int.Parse(changes["API_TIMEOUT_MS"]!).ShouldBeGreaterThanOrEqualTo(30 * 60 * 1000);
        changes["CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY"].ShouldBe("1");
        changes["CLAUDE_CODE_GATEWAY_HINT_HEADERS"].ShouldBe("1");
    }

    [Fact]
    public void The_users_own_tuning_variables_win()
    {
        var current = new Dictionary<string, string?>
        {
            ["CLAUDE_CODE_ATTRIBUTION_HEADER"] = "1",
            ["API_TIMEOUT_MS"] = "1234",
            ["CLAUDE_CODE_MAX_OUTPUT_TOKENS"] = "999",
            ["CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY"] = "0",
            ["CLAUDE_CODE_GATEWAY_HINT_HEADERS"] = "0",
        };

        var changes = ClaudeEnvironment.Changes(Proxy, "token", 16384, current);

        changes.ContainsKey("CLAUDE_CODE_ATTRIBUTION_HEADER").ShouldBeFalse();
        changes.ContainsKey("API_TIMEOUT_MS").ShouldBeFalse();
        changes.ContainsKey("CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY").ShouldBeFalse();
        changes.ContainsKey("CLAUDE_CODE_MAX_OUTPUT_TOKENS").ShouldBeFalse();
        changes.ContainsKey("CLAUDE_CODE_GATEWAY_HINT_HEADERS").ShouldBeFalse();
        changes["ANTHROPIC_BASE_URL"].ShouldBe("http://127.0.0.1:8080");
    }

    [Fact]
    public void The_small_fast_model_is_set_to_the_name_the_router_recognises_unless_the_user_set_one()
    {
        var changes = ClaudeEnvironment.Changes(Proxy, "token", null, new Dictionary<string, string?>());
        changes["ANTHROPIC_SMALL_FAST_MODEL"].ShouldBe(AnyClaude.Host.Requests.RequestClassifier.BackgroundModel);
        changes["ANTHROPIC_DEFAULT_HAIKU_MODEL"].ShouldBe(AnyClaude.Host.Requests.RequestClassifier.BackgroundModel);

        var users = ClaudeEnvironment.Changes(Proxy, "token", null, new Dictionary<string, string?> { ["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = "my-small" });
        users.ContainsKey("ANTHROPIC_SMALL_FAST_MODEL").ShouldBeFalse();
        users.ContainsKey("ANTHROPIC_DEFAULT_HAIKU_MODEL").ShouldBeFalse();
    }

    [Fact]
    public void Claude_is_told_the_backends_window_unless_the_user_set_it()
    {
        var changes = ClaudeEnvironment.Changes(Proxy, "token", 16384, new Dictionary<string, string?>(), contextWindow: 131072);
        changes["CLAUDE_CODE_MAX_CONTEXT_TOKENS"].ShouldBe("131072");
        changes["CLAUDE_CODE_AUTO_COMPACT_WINDOW"].ShouldBe("131072");

        // Under Claude Code's 100k minimum the auto-compact window would read as 100k (and warn): only the window is set.
        var small = ClaudeEnvironment.Changes(Proxy, "token", 16384, new Dictionary<string, string?>(), contextWindow: 32768);
        small["CLAUDE_CODE_MAX_CONTEXT_TOKENS"].ShouldBe("32768");
        small.ContainsKey("CLAUDE_CODE_AUTO_COMPACT_WINDOW").ShouldBeFalse();

        var users = ClaudeEnvironment.Changes(
            Proxy, "token", 16384, new Dictionary<string, string?> { ["CLAUDE_CODE_AUTO_COMPACT_WINDOW"] = "150000", ["CLAUDE_CODE_MAX_CONTEXT_TOKENS"] = "200000" }, contextWindow: 131072);
        users.ContainsKey("CLAUDE_CODE_AUTO_COMPACT_WINDOW").ShouldBeFalse();
        users.ContainsKey("CLAUDE_CODE_MAX_CONTEXT_TOKENS").ShouldBeFalse();

        var unknown = ClaudeEnvironment.Changes(Proxy, "token", 16384, new Dictionary<string, string?>(), contextWindow: null);
        unknown.ContainsKey("CLAUDE_CODE_MAX_CONTEXT_TOKENS").ShouldBeFalse();
        unknown.ContainsKey("CLAUDE_CODE_AUTO_COMPACT_WINDOW").ShouldBeFalse();
    }

    [Fact]
    public void The_main_model_is_a_name_Claude_Code_does_not_know_so_it_takes_the_window_and_shows_the_local_model()
    {
        ClaudeEnvironment.Changes(Proxy, "token", null, new Dictionary<string, string?>())["ANTHROPIC_MODEL"].ShouldBe("anyclaude");
        ClaudeEnvironment.Changes(Proxy, "token", null, new Dictionary<string, string?>(), localModelName: "qwen/qwen3-coder-30b")["ANTHROPIC_MODEL"]
            .ShouldBe("qwen/qwen3-coder-30b");

        var users = ClaudeEnvironment.Changes(Proxy, "token", null, new Dictionary<string, string?> { ["ANTHROPIC_MODEL"] = "lmstudio" }, localModelName: "qwen3");
        users.ContainsKey("ANTHROPIC_MODEL").ShouldBeFalse();

        // A model chosen in Claude Code's settings (`/model` keeps its choice there) would lose to the variable: none is set.
        var chosen = ClaudeEnvironment.Changes(Proxy, "token", null, new Dictionary<string, string?>(), localModelName: "qwen3", settingsChooseModel: true);
        chosen.ContainsKey("ANTHROPIC_MODEL").ShouldBeFalse();
    }
}
