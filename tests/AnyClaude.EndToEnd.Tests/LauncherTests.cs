using System.Net.Sockets;
using System.Net;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>The launcher's own behaviour, with a stand-in claude (a shell script) that reports what it was given.</summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class LauncherTests(NpmPackages npm)
{
    [Fact]
    public async Task Claude_gets_the_arguments_unchanged_the_proxy_environment_and_its_exit_code_is_returned()
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        using var sandbox = new ClaudeSandbox();
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, backend.BaseUrl);
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude(sandbox, exitCode: 7);
        environment["ANTHROPIC_API_KEY"] = "sk-users-own-key";
        environment["API_TIMEOUT_MS"] = "4242";

        var result = await ProcessRunner.RunAsync(
            RepositoryPaths.AnyClaudeExecutable, ["--mode", "mlx-lm", "-p", "two words", "--debug"], environment, sandbox.WorkDirectory, TimeSpan.FromSeconds(60));

        result.ExitCode.ShouldBe(7, result.ToString());
        var lines = result.StandardOutput.Split('\n');
        lines.ShouldContain("arg=-p");
        lines.ShouldContain("arg=two words");
        lines.ShouldContain("arg=--debug");
        lines.ShouldContain(l => l.StartsWith("ANTHROPIC_BASE_URL=http://127.0.0.1:", StringComparison.Ordinal));
        lines.ShouldContain("ANTHROPIC_AUTH_TOKEN=anyclaude");
        lines.ShouldContain("ANTHROPIC_API_KEY=");
        lines.ShouldContain("CLAUDE_CODE_ATTRIBUTION_HEADER=0");
        lines.ShouldContain("API_TIMEOUT_MS=4242");
        lines.ShouldContain("CLAUDE_CODE_GATEWAY_HINT_HEADERS=1");
        // The stand-in asked the proxy for its health while it ran: the proxy was up for claude.
        lines.ShouldContain("ready=200");
    }

    [Fact]
    public async Task Claude_is_told_the_default_backends_window_and_a_users_own_value_wins()
    {
        // LM Studio reports the window its loaded model was given, less than the model's maximum.
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio, new FakeServerOptions { ContextLength = 131072, LoadedContextLength = 8192 });
        using var sandbox = new ClaudeSandbox();
        var environment = sandbox.Environment(npm, ServerFlavor.LmStudio, backend.BaseUrl);
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude(sandbox, exitCode: 0);
        environment["CLAUDE_CODE_AUTO_COMPACT_WINDOW"] = "6000";

        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, ["-p", "hi"], environment, sandbox.WorkDirectory, TimeSpan.FromSeconds(60));

        result.ExitCode.ShouldBe(0, result.ToString());
        var lines = result.StandardOutput.Split('\n');
        lines.ShouldContain("CLAUDE_CODE_MAX_CONTEXT_TOKENS=8192");
        lines.ShouldContain("CLAUDE_CODE_AUTO_COMPACT_WINDOW=6000");
    }

    [Fact]
    public async Task A_taken_port_falls_back_to_a_free_one_when_launching_claude()
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        using var sandbox = new ClaudeSandbox();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, backend.BaseUrl);
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude(sandbox, exitCode: 0);
        environment["ANYCLAUDE_PORT"] = takenPort.ToString();

        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, [], environment, sandbox.WorkDirectory, TimeSpan.FromSeconds(60));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain($"port {takenPort} is taken");
        string url = result.StandardOutput.Split('\n').Single(l => l.StartsWith("ANTHROPIC_BASE_URL=", StringComparison.Ordinal));
        new Uri(url["ANTHROPIC_BASE_URL=".Length..]).Port.ShouldNotBe(takenPort);
        result.StandardOutput.ShouldContain("ready=200");
    }

    [Fact]
    public async Task Without_claude_installed_it_says_how_to_install_it_and_fails()
    {
        using var sandbox = new ClaudeSandbox();
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, new Uri("http://127.0.0.1:9/v1"));
        environment.Remove("ANYCLAUDE_CLAUDEPATH");
        environment["PATH"] = "/usr/bin:/bin";

        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, ["-p", "hi"], environment, sandbox.WorkDirectory, TimeSpan.FromSeconds(60));

        result.ExitCode.ShouldBe(127, result.ToString());
        result.StandardError.ShouldContain("npm install -g @anthropic-ai/claude-code");
    }

    /// <summary>A claude that prints its arguments and environment, checks the proxy answers, and exits with the given code.</summary>
    private static string StandInClaude(ClaudeSandbox sandbox, int exitCode)
    {
        string path = Path.Combine(sandbox.Home, "claude");
        File.WriteAllText(path, $$"""
            #!/bin/sh
            for a in "$@"; do echo "arg=$a"; done
            echo "ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL"
            echo "ANTHROPIC_AUTH_TOKEN=$ANTHROPIC_AUTH_TOKEN"
            echo "ANTHROPIC_API_KEY=$ANTHROPIC_API_KEY"
            echo "CLAUDE_CODE_ATTRIBUTION_HEADER=$CLAUDE_CODE_ATTRIBUTION_HEADER"
            echo "API_TIMEOUT_MS=$API_TIMEOUT_MS"
            echo "CLAUDE_CODE_GATEWAY_HINT_HEADERS=$CLAUDE_CODE_GATEWAY_HINT_HEADERS"
            echo "CLAUDE_CODE_MAX_CONTEXT_TOKENS=$CLAUDE_CODE_MAX_CONTEXT_TOKENS"
            echo "CLAUDE_CODE_AUTO_COMPACT_WINDOW=$CLAUDE_CODE_AUTO_COMPACT_WINDOW"
            echo "ready=$(curl -s -o /dev/null -w '%{http_code}' "$ANTHROPIC_BASE_URL/health/ready")"
            exit {{exitCode}}
            """.Replace("\r", ""));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
