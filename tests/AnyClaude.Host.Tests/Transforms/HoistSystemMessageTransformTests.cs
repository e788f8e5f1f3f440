using AnyClaude.Abstractions.Messages;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Proxy.Cache;
using static AnyClaude.Host.Tests.Transforms.TransformTestKit;

namespace AnyClaude.Host.Tests.Transforms;

/// <summary>
/// Claude Code (2.1.332 and later) sends its environment as a <c>role: "system"</c> message right after the first user
/// message; <c>hoist-system-message</c> moves it ahead of the user's words, after the leading reminders.
/// </summary>
public sealed class HoistSystemMessageTransformTests
{
    private const string Environment = "Working directory: /home/me/parser\nPlatform: linux\nToday's date: 2026-12-08";

    [Fact]
    public async Task The_environment_message_goes_after_the_leading_reminders_and_before_the_users_words()
    {
        var request = Parse(FirstTurn("Fix the parser."));

        await new HoistSystemMessageTransform().ApplyAsync(Context(request), CancellationToken.None);

        request.Messages.Count.ShouldBe(1);
        request.Messages[0].Role.ShouldBe(MessageRoles.User);
        request.Messages[0].Content.Cast<TextBlock>().Select(b => b.Text).ShouldBe(
        [
            "<system-reminder>\n# claudeMd\nthe project notes\n</system-reminder>",
            "<system-reminder>\nthe skills list\n</system-reminder>",
            $"<system-reminder>\n{Environment}\n</system-reminder>",
            "Fix the parser.",
        ]);
    }

    [Fact]
    public async Task The_moved_environment_belongs_to_the_lead_the_warm_up_keeps_and_the_users_words_do_not()
    {
        var request = Parse(FirstTurn("Fix the parser."));

        await new HoistSystemMessageTransform().ApplyAsync(Context(request), CancellationToken.None);

        var lead = WarmRequests.LeadOf(request).Cast<TextBlock>().Select(b => b.Text).ToList();
        lead.Count.ShouldBe(3);
        lead[^1].ShouldContain(Environment);
        string.Join(' ', lead).ShouldNotContain("Fix the parser.");
    }

    [Fact]
    public async Task Every_turn_is_moved_the_same_way_so_each_turn_starts_with_the_previous_one()
    {
        var first = Parse(FirstTurn("Fix the parser."));
        var second = Parse(FirstTurn("Fix the parser.", """
            ,{"role":"assistant","content":[{"type":"text","text":"Done."}]},
            {"role":"user","content":[{"type":"text","text":"Now the tests.","cache_control":{"type":"ephemeral"}}]}
            """));

        await new HoistSystemMessageTransform().ApplyAsync(Context(first), CancellationToken.None);
        await new HoistSystemMessageTransform().ApplyAsync(Context(second), CancellationToken.None);

        second.Messages.Count.ShouldBe(3);
        Serialize(new MessagesRequest { Messages = [second.Messages[0]] }).ShouldBe(Serialize(new MessagesRequest { Messages = [first.Messages[0]] }));
        second.Messages[1].Role.ShouldBe(MessageRoles.Assistant);
    }

    [Theory]
    [InlineData("""[{"role":"user","content":"hello"},{"role":"assistant","content":"hi"},{"role":"system","content":"You are powered by the model qwen."}]""")]
    [InlineData("""[{"role":"system","content":"first"},{"role":"user","content":"hello"}]""")]
    [InlineData("""[{"role":"user","content":"hello"}]""")]
    public async Task Any_other_system_message_stays_where_it_is(string messages)
    {
        var request = Parse($$"""{"model":"m","max_tokens":10,"messages":{{messages}}}""");
        string before = Serialize(request);

        await new HoistSystemMessageTransform().ApplyAsync(Context(request), CancellationToken.None);

        Serialize(request).ShouldBe(before);
    }

    [Fact]
    public async Task A_first_message_of_only_the_users_words_gets_the_environment_before_them()
    {
        var request = Parse($$"""{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"Fix it."},{"role":"system","content":"{{Environment.Replace("\n", "\\n")}}"}]}""");

        await new HoistSystemMessageTransform().ApplyAsync(Context(request), CancellationToken.None);

        request.Messages.Single().Content.Cast<TextBlock>().Select(b => b.Text).ShouldBe([$"<system-reminder>\n{Environment}\n</system-reminder>", "Fix it."]);
    }

    private static string FirstTurn(string words, string more = "") => $$"""
        {"model":"claude-opus-5-5","max_tokens":32000,"messages":[
          {"role":"user","content":[
            {"type":"text","text":"<system-reminder>\n# claudeMd\nthe project notes\n</system-reminder>"},
            {"type":"text","text":"<system-reminder>\nthe skills list\n</system-reminder>"},
            {"type":"text","text":"{{words}}"}]},
          {"role":"system","content":"{{Environment.Replace("\n", "\\n")}}"}{{more}}]}
        """;
}
