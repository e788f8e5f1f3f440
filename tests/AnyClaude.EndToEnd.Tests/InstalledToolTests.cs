using System.Net;
using System.Text.Json;
using System.Text;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// The install path on a fresh machine: the tool package installed with <c>dotnet tool install</c> gives an
/// <c>anyclaude</c> that carries its default plugins and serves a real request.
/// </summary>
public sealed class InstalledToolTests(InstalledTool tool) : IClassFixture<InstalledTool>, IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("anyclaude-tool-home-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    /// <summary>Nothing from this machine's user: a HOME without ~/.anyclaude, PATH and the dotnet root only.</summary>
    private Dictionary<string, string> Environment(Uri? backendUrl = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = _home,
        };
        if (System.Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } dotnetRoot)
        {
            environment["DOTNET_ROOT"] = dotnetRoot;
        }

        if (backendUrl is not null)
        {
            environment["MLX_LM_URL"] = backendUrl.ToString();
        }

        return environment;
    }

    [Fact]
    public async Task The_installed_anyclaude_lists_the_default_plugins_from_its_own_folder()
    {
        var run = await ProcessRunner.RunAsync(tool.Executable, ["plugins"], Environment(), _home, TimeSpan.FromSeconds(60));

        run.ExitCode.ShouldBe(0, run.ToString());
        string store = Path.Combine(tool.ToolPath, ".store");
        var kinds = run.StandardOutput.Split('\n').Select(line => line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        kinds.ShouldContain(columns => columns.Length >= 2 && columns[0] == "mlx-lm" && columns[1] == "MlxLm", run.ToString());
        kinds.ShouldContain(columns => columns.Length >= 2 && columns[0] == "lmstudio" && columns[1] == "LmStudio", run.ToString());
        run.StandardOutput.ShouldContain(Path.Combine("plugins", "MlxLm", "MlxLm.dll"));
        run.StandardOutput.ShouldContain(store); // loaded from beside the installed tool, not from a build folder
        run.StandardOutput.ShouldContain("Failed (0):");
        run.StandardOutput.ShouldContain("Request pipelines (mode: mlx-lm):");
    }

    [Fact]
    public async Task The_installed_anyclaude_serves_a_request_to_the_mlx_lm_backend()
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        backend.Enqueue(ScriptedResponse.Text("Installed and answering."));
        await using var proxy = BackgroundProcess.Start(tool.Executable, ["--proxy-only", "--port", "0"], Environment(backend.BaseUrl), _home);
        string baseUrl = await proxy.WaitForLineAsync("export ANTHROPIC_BASE_URL=", TimeSpan.FromSeconds(60));
        string token = await proxy.WaitForLineAsync("export ANTHROPIC_AUTH_TOKEN=", TimeSpan.FromSeconds(5));

        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent(
                """{"model":"claude-sonnet-4-5","max_tokens":128,"messages":[{"role":"user","content":"Are you installed?"}]}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Add("x-api-key", token);
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body + "\n" + proxy.Output);
        using var message = JsonDocument.Parse(body);
        message.RootElement.GetProperty("type").GetString().ShouldBe("message");
        message.RootElement.GetProperty("role").GetString().ShouldBe("assistant");
        message.RootElement.GetProperty("content")[0].GetProperty("text").GetString().ShouldBe("Installed and answering.");
        message.RootElement.GetProperty("stop_reason").GetString().ShouldBe("end_turn");
        backend.LastChatRequest.BodyText.ShouldContain("Are you installed?");
        proxy.Output.ShouldContain("-> backend 'mlx-lm' at " + backend.BaseUrl);
    }
}
