using System.Net;
using System.Text;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Pipelines;
using AnyClaude.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Tests.Plugins;

/// <summary>The running proxy follows its plugins folder: no rebuild, no restart.</summary>
[Collection(PluginCollection.Name)]
public sealed class HotReloadTests(TestPlugins plugins)
{
    private static readonly TimeSpan PickUp = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_plugin_folder_that_appears_serves_its_backend_kind_and_one_that_goes_is_named_in_the_error()
    {
        using var folder = new TempPluginsFolder();
        using var manager = folder.CreateManager(pollInterval: TimeSpan.FromMinutes(5)); // only the watcher
        manager.Reload();
        manager.StartWatching();
        await using var proxy = await PluginProxy.StartAsync(manager, "echo");

        var (status, body) = await proxy.AskAsync();
        status.ShouldBe(HttpStatusCode.BadGateway);
        body.ShouldContain("kind 'echo', but no loaded plugin provides it");

        plugins.Install(TestPlugins.EchoV1, folder.Path, "Echo");
        await proxy.AskUntilAsync("[echo v1]", PickUp);

        Directory.Delete(Path.Combine(folder.Path, "Echo"), recursive: true);
        var deadline = DateTime.UtcNow + PickUp;
        do
        {
            (status, body) = await proxy.AskAsync();
        }
        while (status == HttpStatusCode.OK && DateTime.UtcNow < deadline && await Task.Delay(100).ContinueWith(_ => true));

        status.ShouldBe(HttpStatusCode.BadGateway, body);
        var (type, message) = await ErrorBodies.ReadAsync(new HttpResponseMessage(status) { Content = new StringContent(body) });
        type.ShouldBe("api_error");
        message.ShouldContain("which plugin 'Echo' provided, but that plugin is no longer loaded");
    }

    [Fact]
    public async Task A_replaced_dll_serves_new_requests_while_a_stream_started_before_finishes_on_the_old_code()
    {
        using var folder = new TempPluginsFolder();
        string echo = plugins.Install(TestPlugins.EchoV1, folder.Path, "Echo");
        string gate = Path.Combine(folder.Root, "gate");
        using var manager = folder.CreateManager();
        manager.Reload();
        manager.StartWatching();
        await using var proxy = await PluginProxy.StartAsync(manager, "echo", extra: new Dictionary<string, string?> { ["gate"] = gate });
        (await proxy.AskAsync()).Body.ShouldContain("[echo v1]");
        var oldContext = new WeakReference(manager.Current.Plugins.Single().Context);
        MarkTransformVersion(proxy).ShouldBe("1.0.0.0");

        // A stream on v1 that stops mid-answer until the gate file exists.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent(ProxyHarness.SimpleBody(stream: true, text: "wait"), Encoding.UTF8, "application/json"),
        };
        using var response = await proxy.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var seen = new StringBuilder();
        while (!seen.ToString().Contains("\"text\":\"[\"", StringComparison.Ordinal))
        {
            seen.AppendLine(await reader.ReadLineAsync() ?? throw new ShouldAssertException($"the stream ended early: {seen}"));
        }

        // Replace the DLL (and its files) in place while that stream waits.
        TestPlugins.CopyDirectory(plugins.OutputOf(TestPlugins.EchoV2), echo);
        await proxy.AskUntilAsync("[echo v2]", PickUp);
        manager.Current.Plugins.Single().Version.ShouldBe("2.0.0");
        // The plugin's transform was replaced in the backend's pipeline too (and the old one is let go, below).
        MarkTransformVersion(proxy).ShouldBe("2.0.0.0");

        File.WriteAllText(gate, "go");
        seen.Append(await reader.ReadToEndAsync());
        string stream = seen.ToString();
        stream.ShouldContain("\"text\":\"echo v1]\"");
        stream.ShouldNotContain("echo v2");
        stream.ShouldContain("event: message_stop");

        response.Dispose();
        for (int i = 0; i < 20 && oldContext.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(20);
        }

        oldContext.IsAlive.ShouldBeFalse("v1's load context is collected once its last stream is done");
    }

    private static string? MarkTransformVersion(PluginProxy proxy)
    {
        var pipelines = proxy.App.Services.GetRequiredService<RequestPipelines>();
        var backend = proxy.App.Services.GetRequiredService<BackendRegistry>().Selected;
        return pipelines.For(backend).Steps.Single(s => s.Name == "echo-mark").Transform.GetType().Assembly.GetName().Version?.ToString();
    }

    [Fact]
    public async Task MlxTextgen_built_out_of_tree_after_the_proxy_started_and_dropped_in_serves()
    {
        await using var fake = await FakeOpenAIServer.StartAsync(ServerFlavor.Generic);
        using var folder = new TempPluginsFolder();
        using var manager = folder.CreateManager();
        manager.Reload();
        manager.StartWatching();
        await using var proxy = await PluginProxy.StartAsync(manager, "mlx-textgen", fake.BaseUrl);
        (await proxy.AskAsync()).Status.ShouldBe(HttpStatusCode.BadGateway);

        // Built now, while the host runs; never part of the host's build or its default plugins.
        File.Exists(Path.Combine(RepositoryPaths.HostOutput, "plugins", "MlxTextgen", "MlxTextgen.dll")).ShouldBeFalse();
        string staging = Path.Combine(folder.Root, "build", "MlxTextgen");
        string project = Path.Combine(RepositoryPaths.Root, "plugins", "MlxTextgen", "MlxTextgen.csproj");
        var (exitCode, output) = await DotNet.RunAsync(folder.Root, TimeSpan.FromMinutes(5),
            "build", project, "-c", RepositoryPaths.Configuration, "-o", staging, "-nodeReuse:false", "-v:q", "-nologo");
        exitCode.ShouldBe(0, output);
        Directory.Move(staging, Path.Combine(folder.Path, "MlxTextgen"));

        fake.Enqueue(ScriptedResponse.Text("hello from mlx-textgen"));
        await proxy.AskUntilAsync("hello from mlx-textgen", PickUp);
        var kind = manager.Current.FindKind("mlx-textgen").ShouldNotBeNull();
        kind.Plugin!.Name.ShouldBe("MlxTextgen");
        kind.Factory.Defaults!.Url.ShouldBe(new Uri("http://localhost:5001/v1"));
        kind.Factory.Defaults.UrlVariable.ShouldBe("MLX_TEXTGEN_URL");

        // Its quirk: one tool call per answer, so it asks for no parallel calls.
        fake.Enqueue(ScriptedResponse.Text("tools too"));
        string body = """
            {"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Hi"}],
             "tools":[{"name":"Read","description":"read a file","input_schema":{"type":"object","properties":{"path":{"type":"string"}}}}]}
            """;
        using var response = await proxy.Http.PostAsync("/v1/messages", new StringContent(body, Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        using var upstream = fake.LastChatRequest.Json();
        upstream.RootElement.GetProperty("parallel_tool_calls").GetBoolean().ShouldBeFalse();
    }
}
