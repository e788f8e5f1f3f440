using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// Issue 24 (points 3, 6 and 8): what the launcher tells Claude Code and the user before Claude Code takes the
/// terminal. The real anyclaude runs a stand-in claude (a shell script) that records its arguments and environment;
/// one test runs the real Claude Code to check which backend its requests reach.
/// </summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class FirstRunLauncherTests(NpmPackages npm)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task An_explicit_mode_wins_over_the_model_that_slash_model_saved_in_claude_codes_settings_and_the_file_is_left_alone()
    {
        await using var mlx = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        await using var lmstudio = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio);
        using var sandbox = new ClaudeSandbox();
        string settings = SaveSlashModelChoice(sandbox, "claude-via-mlx-lm");
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, mlx.BaseUrl);
        environment["LMSTUDIO_URL"] = lmstudio.BaseUrl.ToString();
        environment.Remove("ANYCLAUDE_MODE");
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude(sandbox);

        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, ["--mode", "lmstudio", "-p", "hi"], environment, sandbox.WorkDirectory, RunTimeout);

        result.ExitCode.ShouldBe(0, result.ToString());
        string model = Line(result, "ANTHROPIC_MODEL=");
        model.ShouldNotBeEmpty(result.ToString());
        model.ShouldNotContain("mlx");
        result.StandardError.ShouldContain($"mode 'lmstudio' wins for this session over model 'claude-via-mlx-lm' in {settings}");
        File.ReadAllText(settings).ShouldBe("""{"model": "claude-via-mlx-lm"}""");
    }

    [Fact]
    public async Task Without_an_explicit_mode_the_saved_model_stands_and_the_launcher_says_where_the_session_goes()
    {
        await using var mlx = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        using var sandbox = new ClaudeSandbox();
        string settings = SaveSlashModelChoice(sandbox, "claude-via-lmstudio");
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, mlx.BaseUrl);
        environment.Remove("ANYCLAUDE_MODE");
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude(sandbox);

        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, ["-p", "hi"], environment, sandbox.WorkDirectory, RunTimeout);

        result.ExitCode.ShouldBe(0, result.ToString());
        Line(result, "ANTHROPIC_MODEL=").ShouldBeEmpty();
        result.StandardError.ShouldContain($"model 'claude-via-lmstudio' in {settings} (saved by /model) sends this session to backend 'lmstudio', not the mode 'mlx-lm'");
    }

    [Fact]
    public async Task The_real_claude_code_sends_the_session_to_the_explicit_mode_not_to_the_backend_slash_model_saved()
    {
        await using var mlx = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm, FakeWindows.Roomy);
        await using var lmstudio = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio, FakeWindows.Roomy);
        mlx.RespondWith(_ => ScriptedResponse.Text("from mlx-lm"));
        lmstudio.RespondWith(_ => ScriptedResponse.Text("from lmstudio"));
        using var sandbox = new ClaudeSandbox();
        SaveSlashModelChoice(sandbox, "claude-via-mlx-lm");
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, mlx.BaseUrl);
        environment["LMSTUDIO_URL"] = lmstudio.BaseUrl.ToString();
        environment.Remove("ANYCLAUDE_MODE");

        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, ["--mode", "lmstudio", "-p", "hello", "--output-format", "json"], environment, sandbox.WorkDirectory, RunTimeout);

        string json = result.StandardOutput.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{')) ?? throw new ShouldAssertException($"no JSON result:\n{result}");
        using (var output = JsonDocument.Parse(json))
        {
            output.RootElement.GetProperty("result").GetString().ShouldBe("from lmstudio", result.ToString());
        }

        mlx.ChatRequests.Count.ShouldBe(0);
    }

    [Fact]
    public async Task A_server_that_reports_no_window_gets_a_conservative_one_and_a_line_saying_how_to_set_the_real_one()
    {
        // mlx-lm never reports its window, and with no model configured anyclaude cannot read its config.json.
        await using var mlx = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        using var sandbox = new ClaudeSandbox();
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, mlx.BaseUrl);
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude(sandbox);

        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, ["-p", "hi"], environment, sandbox.WorkDirectory, RunTimeout);

        result.ExitCode.ShouldBe(0, result.ToString());
        Line(result, "CLAUDE_CODE_MAX_CONTEXT_TOKENS=").ShouldBe("65536");
        result.StandardError.ShouldContain("backend 'mlx-lm' does not say its model's context window, so Claude Code is told 65,536 tokens");
        result.StandardError.ShouldContain("backends.mlx-lm.contextLength");
    }

    [Fact]
    public async Task An_mlx_lm_model_in_the_hugging_face_cache_gives_its_own_window()
    {
        await using var mlx = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        using var sandbox = new ClaudeSandbox();
        string snapshot = Path.Combine(sandbox.Home, ".cache", "huggingface", "hub", "models--mlx-community--Tiny-Coder", "snapshots", "0123abcd");
        Directory.CreateDirectory(snapshot);
        File.WriteAllText(Path.Combine(snapshot, "config.json"), """{"model_type": "qwen2", "max_position_embeddings": 40960}""");
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, mlx.BaseUrl);
        environment["MLX_LM_MODEL"] = "mlx-community/Tiny-Coder";
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude(sandbox);

        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, ["-p", "hi"], environment, sandbox.WorkDirectory, RunTimeout);

        result.ExitCode.ShouldBe(0, result.ToString());
        Line(result, "CLAUDE_CODE_MAX_CONTEXT_TOKENS=").ShouldBe("40960");
        Line(result, "ANTHROPIC_MODEL=").ShouldBe("mlx-community/Tiny-Coder");
        result.StandardError.ShouldNotContain("does not say its model's context window");
    }

    [Fact]
    public async Task A_backend_that_is_down_is_named_with_its_url_and_how_to_start_it_before_claude_starts()
    {
        var closed = new Uri($"http://127.0.0.1:{ClosedPort()}/v1");
        using var sandbox = new ClaudeSandbox();
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, closed);
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude(sandbox);

        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, ["-p", "hi"], environment, sandbox.WorkDirectory, RunTimeout);

        result.ExitCode.ShouldBe(0, result.ToString());
        var lines = result.StandardError.Split('\n').ToList();
        int down = lines.FindIndex(l => l.StartsWith($"anyclaude: backend 'mlx-lm' at {closed} refused the connection: start it with `mlx_lm.server --model <model> --port {closed.Port}`", StringComparison.Ordinal));
        down.ShouldBeGreaterThanOrEqualTo(0, result.ToString());
        lines.IndexOf("claude started").ShouldBeGreaterThan(down, "said before Claude Code takes the terminal");
        lines.ShouldContain("anyclaude: starting Claude Code anyway; its requests fail until the server answers");
    }

    [Fact]
    public async Task A_backend_that_is_up_gets_no_warning()
    {
        await using var mlx = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        using var sandbox = new ClaudeSandbox();
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, mlx.BaseUrl);
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude(sandbox);

        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, ["-p", "hi"], environment, sandbox.WorkDirectory, RunTimeout);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldNotContain("refused the connection");
        result.StandardError.ShouldNotContain("starting Claude Code anyway");
    }

    /// <summary>What <c>/model NAME</c> leaves behind: Claude Code's user settings with <c>model</c> set.</summary>
    private static string SaveSlashModelChoice(ClaudeSandbox sandbox, string model)
    {
        string directory = Path.Combine(sandbox.Home, ".claude");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "settings.json");
        File.WriteAllText(path, $$"""{"model": "{{model}}"}""");
        return path;
    }

    private static string Line(ProcessResult result, string prefix) =>
        result.StandardOutput.Split('\n').SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..]
        ?? throw new ShouldAssertException($"the stand-in printed no {prefix} line:\n{result}");

    /// <summary>A claude that prints its arguments and the variables anyclaude sets, and marks on stderr when it started.</summary>
    private static string StandInClaude(ClaudeSandbox sandbox)
    {
        string path = Path.Combine(sandbox.Home, "claude");
        File.WriteAllText(path, """
            #!/bin/sh
            echo "claude started" >&2
            for a in "$@"; do echo "arg=$a"; done
            echo "ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL"
            echo "ANTHROPIC_MODEL=$ANTHROPIC_MODEL"
            echo "CLAUDE_CODE_MAX_CONTEXT_TOKENS=$CLAUDE_CODE_MAX_CONTEXT_TOKENS"
            echo "CLAUDE_CODE_AUTO_COMPACT_WINDOW=$CLAUDE_CODE_AUTO_COMPACT_WINDOW"
            exit 0
            """.Replace("\r", ""));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
