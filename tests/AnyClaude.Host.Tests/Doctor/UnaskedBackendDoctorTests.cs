using AnyClaude.Host.Cli.Doctor;
using AnyClaude.Host.Configuration;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Doctor;

/// <summary>
/// Issue 24, point 4: with nothing configured every kind's built-in backend is there, but <c>anyclaude doctor</c> does
/// not print a red ✗ for the servers of those nobody asked for; a backend the user did ask for still gets one.
/// </summary>
public sealed class UnaskedBackendDoctorTests
{
    [Fact]
    public void With_nothing_configured_the_built_in_backends_but_the_modes_are_unasked()
    {
        using var directory = new TemporaryDirectory();
        var options = ConfigurationLoader.Load(new CommandLineSettings(), ProxyHarness.Factories, new Dictionary<string, string?> { ["VLLM_URL"] = "http://127.0.0.1:9/v1" }, directory.Path).Options.ShouldNotBeNull();

        options.Backends["mlx-lm"].Unasked.ShouldBeFalse("the mode");
        options.Backends["vllm"].Unasked.ShouldBeFalse("its URL variable is set");
        options.Backends["lmstudio"].Unasked.ShouldBeTrue();
        options.Backends["llama-cpp"].Unasked.ShouldBeTrue();

        var lmstudio = ConfigurationLoader.Load(new CommandLineSettings { Mode = "lmstudio" }, ProxyHarness.Factories, new Dictionary<string, string?>(), directory.Path).Options.ShouldNotBeNull();
        lmstudio.Backends["lmstudio"].Unasked.ShouldBeFalse("the mode");
        lmstudio.Backends["mlx-lm"].Unasked.ShouldBeTrue();
    }

    [Fact]
    public async Task A_down_server_of_an_unasked_built_in_backend_is_one_plain_line_not_a_failure()
    {
        await using var healthy = await FakeOpenAIServer.StartAsync(ServerFlavor.Generic, new FakeServerOptions { Models = ["m"] });
        healthy.RespondWith(r => ScriptedResponse.Text("ok").WithUsage(1500, 1, r.BodyText.Contains("Say the word second", StringComparison.Ordinal) ? 1400 : 0));
        var closed = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1");
        var options = new AnyClaudeOptions
        {
            Mode = "main",
            Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
            {
                ["main"] = new() { Name = "main", Kind = "openai", Url = healthy.BaseUrl, ContextLength = 65536 },
                ["lmstudio"] = new() { Name = "lmstudio", Kind = "lmstudio", Url = closed, Unasked = true },
                ["mine"] = new() { Name = "mine", Kind = "openai", Url = closed },
            },
        };
        var output = new StringWriter();

        int code = await DoctorCommand.CheckAsync(options, ProxyHarness.Factories, [], output, TimeSpan.FromSeconds(20), CancellationToken.None);

        string text = output.ToString();
        code.ShouldBe(0, text);
        var lines = text.Split('\n');
        lines.ShouldContain($"lmstudio (lmstudio, built in, not configured): not running at {closed}");
        lines.Count(l => l.TrimStart().StartsWith("✗", StringComparison.Ordinal)).ShouldBe(1, text);
        lines.ShouldContain(l => l.StartsWith("mine (openai)", StringComparison.Ordinal));
    }

    private sealed class TemporaryDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("anyclaude-config-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
