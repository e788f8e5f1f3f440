using System.Net;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;
using AnyClaude.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.Routing;

/// <summary>Editing the configuration file of a running proxy: a real file, the real watcher, real servers.</summary>
public sealed class ConfigurationReloadTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("anyclaude-reload-").FullName;
    private readonly CapturedLogs _logs = new();
    private FakeOpenAIServer _a = null!;
    private FakeOpenAIServer _b = null!;
    private WebApplication _app = null!;
    private ConfigurationWatcher _watcher = null!;
    private HttpClient _http = null!;

    private string File => Path.Combine(_directory, "anyclaude.json");

    public async Task InitializeAsync()
    {
        _a = await FakeOpenAIServer.StartAsync(ServerFlavor.Generic);
        _a.RespondWith(_ => ScriptedResponse.Text("answer from a"));
        _b = await FakeOpenAIServer.StartAsync(ServerFlavor.Generic);
        _b.RespondWith(_ => ScriptedResponse.Text("answer from b"));
        Write(routes: "[]");
        var options = Load().Options.ShouldNotBeNull() with { Port = 0 };
        _app = ProxyApp.Build(options, ProxyHarness.Factories, _logs.Configure);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ProxyApp.ListeningAddress(_app).Port}/") };
        _watcher = new ConfigurationWatcher([File], Load, _app.Services.GetRequiredService<ConfigurationReloader>(), _logs.CreateLogger("test"), TimeSpan.FromMilliseconds(50));
    }

    public async Task DisposeAsync()
    {
        _watcher.Dispose();
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private ConfigurationResult Load() => ConfigurationLoader.Load(new CommandLineSettings { Port = 0 }, ProxyHarness.Factories, new Dictionary<string, string?>(), _directory);

    private void Write(string routes, string mode = "a", string bModel = "b-1") => System.IO.File.WriteAllText(File, $$"""
        {
          "mode": "{{mode}}",
          "backends": {
            "a": { "kind": "openai", "url": "{{_a.BaseUrl}}", "model": "a-1" },
            "b": { "kind": "openai", "url": "{{_b.BaseUrl}}", "model": "{{bModel}}" }
          },
          "routes": {{routes}}
        }
        """);

    private async Task<string?> BackendForAsync(string model)
    {
        using var response = await _http.PostAsync("/v1/messages", new StringContent(MultiBackendProxy.Simple(model).ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return MultiBackendProxy.BackendOf(response);
    }

    private async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, what);
            await Task.Delay(50);
        }
    }

    private IBackend Backend(string name) => _app.Services.GetRequiredService<BackendRegistry>().Get(name);

    [Fact]
    public async Task An_edited_route_applies_to_the_next_request_and_unchanged_backends_are_kept()
    {
        (await BackendForAsync("claude-haiku-5-5")).ShouldBe("a");
        var a = Backend("a");
        var b = Backend("b");

        Write(routes: """[ { "when": { "model": "*haiku*" }, "backend": "b" } ]""");
        await EventuallyAsync(async () => await BackendForAsync("claude-haiku-5-5") == "b", "the new route applies");
        (await BackendForAsync("claude-opus-5-5")).ShouldBe("a");
        Backend("a").ShouldBeSameAs(a);
        Backend("b").ShouldBeSameAs(b);

        Write(routes: """[ { "when": { "model": "*haiku*" }, "backend": "b" } ]""", bModel: "b-2");
        await EventuallyAsync(() => Task.FromResult(!ReferenceEquals(Backend("b"), b)), "the changed backend is recreated");
        Backend("a").ShouldBeSameAs(a);
        (await BackendForAsync("claude-haiku-5-5")).ShouldBe("b");
        using var json = _b.LastChatRequest.Json();
        json.RootElement.GetProperty("model").GetString().ShouldBe("b-2");
    }

    [Fact]
    public async Task An_invalid_edit_is_logged_with_its_reason_and_the_running_configuration_stays()
    {
        Write(routes: """[ { "when": { "model": "*haiku*" }, "backend": "b" } ]""");
        await EventuallyAsync(async () => await BackendForAsync("claude-haiku-5-5") == "b", "the valid route applies");

        Write(routes: """[ { "when": { "model": "*haiku*" }, "backend": "vision" } ]""");
        await EventuallyAsync(
            () => Task.FromResult(_logs.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains("routes[0].backend: 'vision' names no configured backend"))),
            "the rejected edit is logged");
        (await BackendForAsync("claude-haiku-5-5")).ShouldBe("b");

        Write(routes: """[ { "when": { "imgs": true }, "backend": "b" } ]""");
        await EventuallyAsync(
            () => Task.FromResult(_logs.Entries.Any(e => e.Message.Contains("routes[0].when.imgs: unknown condition"))),
            "the malformed when is logged");
        (await BackendForAsync("claude-haiku-5-5")).ShouldBe("b");
    }

    [Fact]
    public async Task An_edited_mode_applies_but_a_live_switch_survives_edits_of_other_settings()
    {
        Write(routes: "[]", mode: "b");
        await EventuallyAsync(async () => await BackendForAsync("claude-opus-5-5") == "b", "the edited mode applies");

        (await ControlCommands.ModeAsync(_http.BaseAddress!, "a", null, TextWriter.Null, TextWriter.Null)).ShouldBe(0);
        Write(routes: """[ { "when": { "model": "*haiku*" }, "backend": "b" } ]""", mode: "b");
        await EventuallyAsync(async () => await BackendForAsync("claude-haiku-5-5") == "b", "the route edit applies");
        (await BackendForAsync("claude-opus-5-5")).ShouldBe("a");
    }

    [Fact]
    public async Task A_stream_in_flight_on_a_backend_that_changes_finishes_on_what_it_started_with()
    {
        _b.RespondWith(_ => ScriptedResponse.Text("slow answer from b in many small pieces").WithChunkDelay(TimeSpan.FromMilliseconds(60)));
        var streaming = _http.PostAsync("/v1/messages", new StringContent(MultiBackendProxy.Simple("b", stream: true).ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        await _b.WaitUntilAsync(f => f.ActiveStreams == 1, TimeSpan.FromSeconds(10), "the stream runs");
        var before = Backend("b");

        Write(routes: "[]", bModel: "b-2");
        await EventuallyAsync(() => Task.FromResult(!ReferenceEquals(Backend("b"), before)), "the changed backend is recreated");

        using var response = await streaming;
        string events = await response.Content.ReadAsStringAsync();
        events.ShouldContain("event: message_stop");
        MultiBackendProxy.TextOf(events).ShouldBe("slow answer from b in many small pieces");
        MultiBackendProxy.Header(response, AnyClaude.Host.Proxy.Routing.RouteHeaders.Model).ShouldBe("b-1");
    }
}
