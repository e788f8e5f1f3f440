using System.Text;
using System.Text.Json;
using AnyClaude.Host.Http;
using AnyClaude.Host.Proxy.Cache;

namespace AnyClaude.Host.Tests.Cache;

/// <summary>What of a first turn's first message is warmed with the head: the leading system reminders only.</summary>
public sealed class WarmRequestsTests
{
    private const string Head = """
        "system":[{"type":"text","text":"You are Claude Code."}],
        "tools":[{"name":"Bash","description":"Runs a command.","input_schema":{"type":"object"}}]
        """;

    [Fact]
    public void The_lead_is_the_reminders_before_the_users_words_without_cache_control()
    {
        var request = Parse("""
            [{"role":"user","content":[
              {"type":"text","text":"<system-reminder>\nCLAUDE.md\n</system-reminder>"},
              {"type":"text","text":"  <system-reminder>\nskills\n</system-reminder>","cache_control":{"type":"ephemeral"}},
              {"type":"text","text":"Fix the parser."},
              {"type":"text","text":"<system-reminder>\nafter the words\n</system-reminder>"}]},
             {"role":"system","content":"cwd: /tmp"}]
            """);

        using var warm = JsonDocument.Parse(WarmRequests.From(request, withLead: true));
        var content = warm.RootElement.GetProperty("messages").EnumerateArray().Single().GetProperty("content").EnumerateArray().ToList();
        content.Select(b => b.GetProperty("text").GetString()).ShouldBe(
            ["<system-reminder>\nCLAUDE.md\n</system-reminder>", "  <system-reminder>\nskills\n</system-reminder>", "."]);
        content.Count(b => b.TryGetProperty("cache_control", out var _)).ShouldBe(0);
        warm.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(1);

        // Another session of the project: the same lead, other words; the head is shared.
        var other = Parse("""
            [{"role":"user","content":[
              {"type":"text","text":"<system-reminder>\nCLAUDE.md\n</system-reminder>"},
              {"type":"text","text":"  <system-reminder>\nskills\n</system-reminder>"},
              {"type":"text","text":"Write the docs."}]}]
            """);
        WarmRequests.HeadOf(other, withLead: true).ShouldBe(WarmRequests.HeadOf(request, withLead: true));
        WarmRequests.HeadOf(other, withLead: true).ShouldNotBe(WarmRequests.HeadOf(other, withLead: false));
    }

    [Theory]
    [InlineData("""[{"role":"user","content":"<system-reminder>\nonly a string\n</system-reminder>"}]""")]
    [InlineData("""[{"role":"user","content":[{"type":"text","text":"Fix it."},{"type":"text","text":"<system-reminder>\nlate\n</system-reminder>"}]}]""")]
    [InlineData("""[{"role":"user","content":[{"type":"text","text":"<system-reminder>\nall reminders\n</system-reminder>"}]}]""")]
    [InlineData("""[{"role":"assistant","content":"<system-reminder>\nnot a user\n</system-reminder>"},{"role":"user","content":"Hi"}]""")]
    public void Without_reminders_before_the_users_words_the_warm_up_is_the_head_and_a_dot(string messages)
    {
        var request = Parse(messages);

        WarmRequests.LeadOf(request).ShouldBeEmpty();
        using var warm = JsonDocument.Parse(WarmRequests.From(request, withLead: true));
        warm.RootElement.GetProperty("messages").EnumerateArray().Single().GetProperty("content")
            .EnumerateArray().Select(b => b.GetProperty("text").GetString()).ShouldBe(["."]);
    }

    [Fact]
    public void A_head_read_back_from_the_file_is_the_head_of_the_next_request_written_as_claude_code_writes_json()
    {
        // Claude Code (JavaScript) escapes neither <, >, &, ' nor non-ASCII; the file is written by System.Text.Json, which does.
        const string Body = """
            {"model":"m","max_tokens":8,
             "system":[{"type":"text","text":"Use <tags> & 'quotes' — café as-is: <b>"}],
             "tools":[{"name":"Bash","description":"Runs <cmd> & more.","input_schema":{"type":"object","description":"a <schema>"}}],
             "messages":[{"role":"user","content":[{"type":"text","text":"<system-reminder>\nCLAUDE.md: <rules> & café\n</system-reminder>"},{"type":"text","text":"Hi"}]}]}
            """;
        string raw = Body.Replace("\u2014", "—", StringComparison.Ordinal).Replace("\u00e9", "é", StringComparison.Ordinal);
        var request = MessagesRequestReader.Parse(Encoding.UTF8.GetBytes(raw), 64);
        string folder = Path.Combine(Path.GetTempPath(), "anyclaude-warm-" + Guid.NewGuid().ToString("N"));
        try
        {
            new WarmPrefixStore(folder).Put("b", "2.1.337", WarmKinds.Head, () => WarmRequests.From(request, withLead: true), WarmRequests.HeadOf(request, withLead: true), "m")
                .ShouldBeTrue();

            var kept = new WarmPrefixStore(folder).Load("b").Prefixes[WarmKinds.Head];
            var next = MessagesRequestReader.Parse(Encoding.UTF8.GetBytes(raw), 64);
            Encoding.UTF8.GetString(kept.Head).ShouldBe(Encoding.UTF8.GetString(WarmRequests.HeadOf(next, withLead: true)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Abstractions.Messages.MessagesRequest Parse(string messages) =>
        MessagesRequestReader.Parse(Encoding.UTF8.GetBytes($$"""{"model":"m","max_tokens":8,{{Head}},"messages":{{messages}}}"""), 64);
}
