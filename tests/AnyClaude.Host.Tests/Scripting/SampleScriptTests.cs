using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Scripting;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Scripting;

/// <summary>The samples shipped in scripts/samples/ (copied beside the executable by the host build) work, and do not run by default.</summary>
public sealed class SampleScriptTests : IDisposable
{
    private static readonly string Samples = Path.Combine(Path.GetDirectoryName(typeof(ProxyApp).Assembly.Location)!, "scripts", "samples");

    private readonly ScriptFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<ProxyHarness> StartWithSampleAsync(string name)
    {
        File.Copy(Path.Combine(Samples, name), Path.Combine(_folder.Scripts, name));
        var scripts = _folder.Load();
        scripts.Errors.ShouldBeEmpty();
        scripts.Scripts.ShouldHaveSingleItem().Compiled.ShouldBeTrue();
        return await ProxyHarness.StartAsync(ServerFlavor.MlxLm, transforms: new TransformCatalog([], scripts));
    }

    [Fact]
    public void The_samples_are_copied_beside_the_executable_but_a_default_install_runs_no_script()
    {
        File.Exists(Path.Combine(Samples, "strip-tools.csx")).ShouldBeTrue();
        File.Exists(Path.Combine(Samples, "trim-system-prompt.csx")).ShouldBeTrue();

        var defaults = ScriptLoader.Load([Path.Combine(Path.GetDirectoryName(Samples)!)], _folder.Cache);

        defaults.Scripts.ShouldBeEmpty();
    }

    [Fact]
    public async Task Strip_tools_sample_sends_no_tools_and_turns_the_tool_history_into_text()
    {
        await using var proxy = await StartWithSampleAsync("strip-tools.csx");
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));
        const string body = """
            {"model":"m","max_tokens":100,
             "tools":[{"name":"Read","input_schema":{"type":"object"}}],
             "tool_choice":{"type":"any"},
             "messages":[
              {"role":"user","content":"read a.txt"},
              {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Read","input":{"file_path":"a.txt"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"hello from a"}]}
             ]}
            """;

        using var response = await proxy.PostMessagesAsync(body);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var upstream = proxy.Fake.LastChatRequest;
        using var json = upstream.Json();
        json.RootElement.TryGetProperty("tools", out _).ShouldBeFalse(upstream.BodyText);
        json.RootElement.TryGetProperty("tool_choice", out _).ShouldBeFalse(upstream.BodyText);
        upstream.BodyText.ShouldNotContain("\"tool_calls\"");
        upstream.BodyText.ShouldNotContain("\"role\":\"tool\"");
        upstream.BodyText.ShouldContain("[called Read with {\\u0022file_path\\u0022:\\u0022a.txt\\u0022}]".Replace("\\u0022", "\\\""), Case.Sensitive, upstream.BodyText);
        upstream.BodyText.ShouldContain("[Read returned: hello from a]");
    }

    [Fact]
    public async Task Trim_system_prompt_sample_keeps_the_first_characters_of_each_block_within_a_budget()
    {
        await using var proxy = await StartWithSampleAsync("trim-system-prompt.csx");
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));
        var body = new JsonObject
        {
            ["model"] = "m",
            ["max_tokens"] = 100,
            ["system"] = new JsonArray
            {
                new JsonObject { ["type"] = "text", ["text"] = new string('A', 10_000) },
                new JsonObject { ["type"] = "text", ["text"] = new string('B', 10_000) },
                new JsonObject { ["type"] = "text", ["text"] = new string('C', 10_000) },
            },
            ["messages"] = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = "hi" } },
        };

        using var response = await proxy.PostMessagesAsync(body.ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        using var json = proxy.Fake.LastChatRequest.Json();
        string system = json.RootElement.GetProperty("messages")[0].GetProperty("content").GetString()!;
        system.Count(c => c == 'A').ShouldBe(6000);
        system.Count(c => c == 'B').ShouldBeInRange(1, 5999);
        system.Count(c => c == 'C').ShouldBe(0);
        system.ShouldContain("[…trimmed]");
        system.Length.ShouldBeLessThan(12_100);
    }
}
