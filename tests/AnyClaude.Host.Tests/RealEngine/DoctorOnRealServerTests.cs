using AnyClaude.Host.Cli.Doctor;
using AnyClaude.Host.Configuration;
using AnyClaude.TestSupport.RealEngine;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// <c>anyclaude doctor</c> against a real llama-server (<c>-c 65536 --parallel 2</c>) for the kinds that know its window:
/// the window it reports is one slot's 32,768 tokens (not the model file's 131,072) and the prefix cache check finds the server's cache, as the
/// server's own usage says.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class DoctorOnRealServerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(EngineKind.LlamaCpp)]
    [InlineData(EngineKind.Anthropic)]
    public async Task Doctor_reports_the_slots_window_and_a_working_prefix_cache(EngineKind kind)
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 2 });
        string name = RealEngineProxy.KindName(kind);
        var options = new AnyClaudeOptions
        {
            Mode = name,
            Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
            {
                [name] = new() { Name = name, Kind = name, Url = kind == EngineKind.Anthropic ? server.Root : server.V1 },
            },
        };

        var report = new StringWriter();
        int code = await DoctorCommand.CheckAsync(options, RealEngineProxy.Factories, [], report, TimeSpan.FromMinutes(3), CancellationToken.None);
        string text = report.ToString();
        output.WriteLine(text);

        code.ShouldBe(0, text);
        // 32,768 is below what doctor calls roomy for Claude Code (a warning), but it is the server's window, not 131,072.
        text.ShouldMatch(@"[✓!] context window\s+32768 tokens");
        text.ShouldMatch(@"✓ prefix cache\s+the second of two requests sharing a prefix had [1-9]\d* of [1-9]\d* prompt tokens cached");
    }
}
