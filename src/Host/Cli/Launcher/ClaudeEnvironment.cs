using System.Globalization;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Cli.Launcher;

/// <summary>
/// The environment Claude Code runs with. The proxy's address and the one auth variable are always ours
/// (they are what makes claude talk to the proxy); the tuning variables are only defaults, and a value the
/// user set wins.
/// </summary>
internal static class ClaudeEnvironment
{
    /// <summary>A slow local prefill of a long prompt can take many minutes; Claude Code's own default is 10.</summary>
    public const int RequestTimeoutMilliseconds = 60 * 60 * 1000;

    public static IReadOnlyDictionary<string, string?> Changes(
        Uri proxyAddress,
        string authToken,
        int? maxOutputTokens,
        IReadOnlyDictionary<string, string?> current,
        int? contextWindow = null,
        string? localModelName = null,
        bool settingsChooseModel = false)
    {
        var changes = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ANTHROPIC_BASE_URL"] = proxyAddress.GetLeftPart(UriPartial.Authority),
            ["ANTHROPIC_AUTH_TOKEN"] = authToken,
            // Two auth variables make Claude Code warn about a conflict; the proxy's token is the one it needs.
            ["ANTHROPIC_API_KEY"] = null,
        };

        void Default(string name, string value)
        {
            if (string.IsNullOrEmpty(current.GetValueOrDefault(name)))
            {
                changes[name] = value;
            }
        }

        // Without the per-session attribution header the system prompt stays byte-identical across sessions.
        Default("CLAUDE_CODE_ATTRIBUTION_HEADER", "0");
        Default("API_TIMEOUT_MS", RequestTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture));
        // Claude Code's /model picker then asks GET /v1/models, which lists every backend as claude-via-NAME.
        Default("CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY", "1");
        // Claude Code 2.1.337 then says what each request is (x-claude-code-request-class: main, subagent, auxiliary, …)
        // instead of leaving the router to guess from the body; older versions ignore it.
        Default(GatewayHintHeaders, "1");
        // Claude Code's side calls (title, …) ask for the small/fast model: a name the router recognises exactly makes
        // them `background` for the routes. The user's own choice of either variable wins.
        if (string.IsNullOrEmpty(current.GetValueOrDefault("ANTHROPIC_SMALL_FAST_MODEL")) && string.IsNullOrEmpty(current.GetValueOrDefault("ANTHROPIC_DEFAULT_HAIKU_MODEL")))
        {
            changes["ANTHROPIC_SMALL_FAST_MODEL"] = RequestClassifier.BackgroundModel;
            changes["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = RequestClassifier.BackgroundModel;
        }

        // Claude Code applies the window below only to a model name it does not know; for its own default
        // (claude-opus-5-5) it keeps its own window and shows an Anthropic model in its banner. The name is an ordinary
        // model name to the router (the default backend, or the routes), and the backends ask for their own model.
        // A model the user chose in Claude Code's settings (where `/model` keeps its choice) stands, as their variable does.
        if (!settingsChooseModel)
        {
            Default("ANTHROPIC_MODEL", string.IsNullOrWhiteSpace(localModelName) ? LocalModel : localModelName);
        }

        if (maxOutputTokens is { } tokens)
        {
            Default("CLAUDE_CODE_MAX_OUTPUT_TOKENS", tokens.ToString(CultureInfo.InvariantCulture));
        }

        if (contextWindow is { } window)
        {
            // A model name Claude Code does not know is taken for a 1,000,000-token window, so it would compact far too late:
            // told the real window, it compacts before the backend's window is full. The auto-compact window is clamped to
            // that window anyway; 2.1.332 reads a value under 100k as 100k and warns, so it is set only from there up.
            string windowTokens = window.ToString(CultureInfo.InvariantCulture);
            Default(MaxContextTokens, windowTokens);
            if (window >= MinimumAutoCompactWindow)
            {
                Default(AutoCompactWindow, windowTokens);
            }
        }

        return changes;
    }

    /// <summary>The main model's name when the default backend has no configured model to show instead.</summary>
    public const string LocalModel = "anyclaude";

    public const string GatewayHintHeaders = "CLAUDE_CODE_GATEWAY_HINT_HEADERS";

    public const string MaxContextTokens = "CLAUDE_CODE_MAX_CONTEXT_TOKENS";
    public const string AutoCompactWindow = "CLAUDE_CODE_AUTO_COMPACT_WINDOW";

    /// <summary>The smallest auto-compact window Claude Code 2.1.332 takes as given.</summary>
    public const int MinimumAutoCompactWindow = 100_000;
}
