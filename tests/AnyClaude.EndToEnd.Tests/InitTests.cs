using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport.NativeServers;
using AnyClaude.TestSupport.RealEngine;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// <c>anyclaude init</c> with the real anyclaude process against servers on free ports (named with <c>--probe</c>, as
/// the usual ports are not for tests): a real llama-server, and fakes of mlx-lm and Ollama.
/// </summary>
public sealed class InitTests : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private readonly ClaudeSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private string UserConfig => Path.Combine(_sandbox.Home, ".anyclaude", "config.json");

    [Fact]
    public async Task Init_finds_the_servers_shows_their_models_and_writes_a_configuration_that_starts()
    {
        await using var mlx = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm, new FakeServerOptions { Models = ["mlx-community/Qwen3-Coder-30B-A3B-Instruct-4bit"] });
        await using var llama = await RealLlamaServer.StartAsync();
        await using var ollama = await FakeOllamaServer.StartAsync();
        int nothing = CommandLineTests.FreePort();

        // llama-server is looked for as mlx-lm (both default to 8080): its /props tells it apart.
        var result = await RunAsync(Environment(), "init", "--yes",
            "--probe", $"mlx-lm={mlx.BaseUrl.Port}", "--probe", $"mlx-lm={llama.Port}", "--probe", $"ollama={ollama.RootUrl.Port}", "--probe", $"vllm={nothing}");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain("mlx-community/Qwen3-Coder-30B-A3B-Instruct-4bit", Case.Sensitive, result.ToString());
        result.StandardOutput.ShouldContain(ollama.Options.Models[0].Name, Case.Sensitive, result.ToString());
        result.StandardOutput.ShouldContain($"nothing on {nothing}", Case.Sensitive, result.ToString());
        File.Exists(UserConfig).ShouldBeTrue(result.ToString());
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(UserConfig).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var written = JsonDocument.Parse(File.ReadAllText(UserConfig));
        written.RootElement.GetProperty("mode").GetString().ShouldBe("mlx-lm");
        var backends = written.RootElement.GetProperty("backends");
        backends.GetProperty("mlx-lm").GetProperty("kind").GetString().ShouldBe("mlx-lm");
        backends.GetProperty("mlx-lm").GetProperty("url").GetString().ShouldBe($"http://localhost:{mlx.BaseUrl.Port}/v1");
        backends.GetProperty("mlx-lm").GetProperty("model").GetString().ShouldBe("mlx-community/Qwen3-Coder-30B-A3B-Instruct-4bit");
        backends.GetProperty("llama-cpp").GetProperty("kind").GetString().ShouldBe("llama-cpp");
        backends.GetProperty("llama-cpp").GetProperty("url").GetString().ShouldBe($"http://localhost:{llama.Port}/v1");
        backends.GetProperty("ollama").GetProperty("kind").GetString().ShouldBe("ollama");
        backends.GetProperty("ollama").GetProperty("url").GetString().ShouldBe($"http://localhost:{ollama.RootUrl.Port}/");
        backends.EnumerateObject().Count().ShouldBe(3);

        // What it wrote is a configuration anyclaude starts with, on the first server found.
        var environment = Environment();
        environment["ANYCLAUDE_PORT"] = "0";
        await using var proxy = BackgroundProcess.Start(RepositoryPaths.AnyClaudeExecutable, ["--proxy-only"], environment, _sandbox.WorkDirectory);
        await proxy.WaitForLineAsync("Point Claude Code at it", RunTimeout);
        proxy.Output.ShouldContain($"-> backend 'mlx-lm' at http://localhost:{mlx.BaseUrl.Port}/v1", Case.Sensitive, proxy.Output);
        proxy.Output.ShouldNotContain("warning", Case.Insensitive, proxy.Output);
    }

    [Fact]
    public async Task Init_never_replaces_a_configuration_without_an_answer_and_writes_nothing_unconfirmed()
    {
        await using var mlx = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        string probe = $"mlx-lm={mlx.BaseUrl.Port}";

        // No terminal to answer on (stdin closed) and no --yes: nothing is written.
        var unconfirmed = await RunAsync(Environment(), "init", "--probe", probe);
        unconfirmed.ExitCode.ShouldBe(1, unconfirmed.ToString());
        File.Exists(UserConfig).ShouldBeFalse(unconfirmed.ToString());

        Directory.CreateDirectory(Path.GetDirectoryName(UserConfig)!);
        File.WriteAllText(UserConfig, """{"mode": "lmstudio"}""");
        var existing = await RunAsync(Environment(), "init", "--yes", "--probe", probe);
        existing.ExitCode.ShouldBe(1, existing.ToString());
        File.ReadAllText(UserConfig).ShouldBe("""{"mode": "lmstudio"}""");
        existing.StandardError.Trim().ShouldBe($"anyclaude: nothing written: {UserConfig} exists and was not replaced (answer y to replace it, or move it away)");

        // --here writes this folder's anyclaude.json and leaves the user's file alone.
        var here = await RunAsync(Environment(), "init", "--yes", "--here", "--probe", probe);
        here.ExitCode.ShouldBe(0, here.ToString());
        File.Exists(Path.Combine(_sandbox.WorkDirectory, "anyclaude.json")).ShouldBeTrue(here.ToString());
        File.ReadAllText(UserConfig).ShouldBe("""{"mode": "lmstudio"}""");
    }

    [Fact]
    public async Task Init_with_nothing_running_says_where_it_looked_and_writes_nothing()
    {
        int port = CommandLineTests.FreePort();

        var result = await RunAsync(Environment(), "init", "--yes", "--probe", $"llama-cpp={port}");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.StandardError.Trim().ShouldStartWith($"anyclaude: no model server answers on ports {port}; start one");
        File.Exists(UserConfig).ShouldBeFalse();
    }

    private Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = _sandbox.Home,
            ["LANG"] = "C.UTF-8",
        };
        if (System.Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } dotnetRoot)
        {
            environment["DOTNET_ROOT"] = dotnetRoot;
        }

        return environment;
    }

    private Task<ProcessResult> RunAsync(Dictionary<string, string> environment, params string[] arguments) =>
        ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, arguments, environment, _sandbox.WorkDirectory, RunTimeout);
}
