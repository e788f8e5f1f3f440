using System.Text.Json;
using AnyClaude.TestSupport;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A throwaway HOME and working folder, and the clean environment anyclaude and claude run with: no
/// variables inherited but PATH, nothing that lets claude reach the network (a refusing proxy for anything not on
/// loopback), the backend's URL.
/// </summary>
internal sealed class ClaudeSandbox : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anyclaude-e2e-").FullName;

    public ClaudeSandbox()
    {
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(WorkDirectory);
    }

    public string Home => Path.Combine(_root, "home");

    public string WorkDirectory => Path.Combine(_root, "work");

    public Dictionary<string, string> Environment(NpmFolder npm, ServerFlavor flavor, Uri backendUrl) =>
        Environment(npm, flavor == ServerFlavor.LmStudio ? "lmstudio" : "mlx-lm", backendUrl);

    /// <summary>The environment with <paramref name="backendKind"/>'s default backend the mode, at <paramref name="backendUrl"/>.</summary>
    public Dictionary<string, string> Environment(NpmFolder npm, string backendKind, Uri backendUrl)
    {
        var environment = Environment(npm);
        environment["ANYCLAUDE_MODE"] = backendKind;
        environment[UrlVariable(backendKind)] = backendUrl.ToString();
        return environment;
    }

    /// <summary>The environment with no backend chosen: the mode and backends come from a configuration file (<see cref="WriteConfiguration"/>).</summary>
    public Dictionary<string, string> Environment(NpmFolder npm)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = Home,
            ["TERM"] = "xterm-256color",
            ["LANG"] = "C.UTF-8",
            ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
            ["DISABLE_TELEMETRY"] = "1",
            ["DISABLE_AUTOUPDATER"] = "1",
            ["DISABLE_ERROR_REPORTING"] = "1",
            // 2.1.332's quiet switches no longer stop every outbound attempt (plugin marketplace, downloads): anything
            // not on loopback goes to a port that refuses (protocol.md §1a).
            ["HTTPS_PROXY"] = "http://127.0.0.1:9",
            ["HTTP_PROXY"] = "http://127.0.0.1:9",
            ["NO_PROXY"] = "127.0.0.1,localhost",
            ["ANYCLAUDE_PORT"] = "0",
            ["ANYCLAUDE_DEBUG"] = "1",
            ["ANYCLAUDE_CLAUDEPATH"] = npm.ClaudeExecutable,
        };
        if (System.Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } dotnetRoot)
        {
            environment["DOTNET_ROOT"] = dotnetRoot;
        }

        return environment;
    }

    /// <summary>The environment of an anyclaude that launches no Claude Code (<c>--proxy-only</c>, or start-up checks): a free port, this sandbox's home.</summary>
    public Dictionary<string, string> ProxyEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = Home,
            ["LANG"] = "C.UTF-8",
            ["ANYCLAUDE_PORT"] = "0",
        };
        if (System.Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } dotnetRoot)
        {
            environment["DOTNET_ROOT"] = dotnetRoot;
        }

        return environment;
    }

    /// <summary>Writes <paramref name="configuration"/> as the user's <c>~/.anyclaude/config.json</c>.</summary>
    public void WriteConfiguration(object configuration)
    {
        string folder = Path.Combine(Home, ".anyclaude");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(configuration));
    }

    /// <summary>The variable that sets a default backend's URL (configuration.md, "Backends").</summary>
    private static string UrlVariable(string backendKind) => backendKind switch
    {
        "mlx-lm" => "MLX_LM_URL",
        "lmstudio" => "LMSTUDIO_URL",
        "llama-cpp" => "LLAMA_CPP_URL",
        "vllm" => "VLLM_URL",
        "exo" => "EXO_URL",
        "ollama" => "OLLAMA_URL",
        "anthropic" => "ANTHROPIC_PASSTHROUGH_URL",
        _ => throw new ArgumentOutOfRangeException(nameof(backendKind), backendKind, "no default backend of that kind"),
    };

    /// <summary>
    /// A shell script that runs anyclaude in exactly <paramref name="environment"/> (nothing inherited), for a tmux
    /// session to start; returns its path.
    /// </summary>
    public string WriteLauncher(IReadOnlyDictionary<string, string> environment)
    {
        string launcher = Path.Combine(Home, "launch.sh");
        File.WriteAllText(launcher, "#!/bin/sh\nexec env -i " +
            string.Join(" ", environment.Select(pair => $"'{pair.Key}={pair.Value}'")) +
            $" '{RepositoryPaths.AnyClaudeExecutable}'\n");
        return launcher;
    }

    /// <summary>What interactive claude needs to start straight at its prompt: onboarding done, this folder trusted.</summary>
    public void MarkOnboardingDone()
    {
        var state = new Dictionary<string, object>
        {
            ["hasCompletedOnboarding"] = true,
            ["customApiKeyResponses"] = new Dictionary<string, string[]> { ["approved"] = ["anyclaude"], ["rejected"] = [] },
            ["projects"] = new Dictionary<string, object>
            {
                [WorkDirectory] = new Dictionary<string, bool> { ["hasTrustDialogAccepted"] = true, ["hasCompletedProjectOnboarding"] = true },
            },
        };
        File.WriteAllText(Path.Combine(Home, ".claude.json"), JsonSerializer.Serialize(state));
    }

    /// <summary>anyclaude's own log while claude runs (debug level 1: one line per request).</summary>
    public string ProxyLog()
    {
        string logs = Path.Combine(Home, ".anyclaude", "logs");
        return Directory.Exists(logs)
            ? string.Join("\n", Directory.GetFiles(logs).Order().Select(File.ReadAllText))
            : "";
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
