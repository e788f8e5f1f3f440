using System.Net;
using System.Text.RegularExpressions;
using AnyClaude.Host.Pipelines;
using AnyClaude.TestSupport;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.Scripting;

/// <summary>docs/writing-a-script.md, followed from a clean folder: its examples compile and the first one runs.</summary>
public sealed partial class WritingAScriptDocTests : IDisposable
{
    private readonly ScriptFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static IReadOnlyList<string> CSharpBlocks()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AnyClaude.Extensible.sln")))
        {
            directory = directory.Parent;
        }

        string doc = File.ReadAllText(Path.Combine(directory.ShouldNotBeNull().FullName, "docs", "writing-a-script.md"));
        return CSharpBlock().Matches(doc).Select(m => m.Groups[1].Value).ToList();
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [Fact]
    public async Task The_first_example_runs_from_an_empty_scripts_folder_and_reaches_the_backend()
    {
        var blocks = CSharpBlocks();
        _folder.Write("10-hello.csx", blocks[0]);
        var scripts = _folder.Load();
        scripts.Errors.ShouldBeEmpty();
        var logs = new ListLoggerProvider();
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.MlxLm,
            transforms: new TransformCatalog([], scripts),
            logging: b => b.AddProvider(logs));
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));

        using var response = await proxy.PostMessagesAsync(new ClaudeCodeConversation("hi").Body(stream: true));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await response.Content.ReadAsStringAsync();
        proxy.Fake.LastChatRequest.BodyText.ShouldContain("Answer in British English.");
        logs.Lines.ShouldContain(l => l.Contains("hello.csx ran for mlx-lm"));
    }

    [Fact]
    public void Every_example_in_the_guide_compiles()
    {
        var blocks = CSharpBlocks();
        blocks.Count.ShouldBeGreaterThanOrEqualTo(5);
        for (int i = 0; i < blocks.Count; i++)
        {
            _folder.Write($"{i:00}-example.csx", blocks[i]);
        }

        var scripts = _folder.Load();

        scripts.Errors.ShouldBeEmpty();
        scripts.Scripts.Count.ShouldBe(blocks.Count);
        scripts.Scripts.ShouldAllBe(s => s.Compiled);
        scripts.Scripts.Single(s => s.Name == $"{blocks.ToList().FindIndex(b => b.StartsWith("// backends:", StringComparison.Ordinal)):00}-example.csx")
            .Backends.ShouldNotBeNull().ShouldBe(["mlx-lm", "lmstudio"], ignoreOrder: true);
    }
}
