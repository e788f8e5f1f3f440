using System.Net;
using System.Text.Json;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Transforms;

/// <summary>Turn N's upstream prompt is a byte prefix of turn N+1's, so the backend's prefix cache hits (protocol.md §1).</summary>
public sealed class PrefixStabilityTests
{
    [Theory]
    [InlineData(ServerFlavor.MlxLm)]
    [InlineData(ServerFlavor.LmStudio)]
    public async Task Each_turns_upstream_body_starts_with_the_previous_turns_messages(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        var conversation = new ClaudeCodeConversation("Create a small web server.");
        var bodies = new List<byte[]>();
        for (int turn = 1; turn <= 4; turn++)
        {
            string answer = $"Answer number {turn}: done with step {turn}.";
            proxy.Fake.Enqueue(ScriptedResponse.Text(answer));
            using var response = await proxy.PostMessagesAsync(conversation.Body(), "/v1/messages?beta=true");
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            await response.Content.ReadAsStringAsync();
            bodies.Add(proxy.Fake.LastChatRequest.Body);
            conversation.Append(answer, $"Now do step {turn + 1}.");
        }

        for (int i = 0; i + 1 < bodies.Count; i++)
        {
            int end = EndOfLastMessage(bodies[i]);
            int common = CommonPrefixLength(bodies[i], bodies[i + 1]);
            common.ShouldBeGreaterThanOrEqualTo(end,
                $"turn {i + 2} differs from turn {i + 1} at byte {common}: "
                + $"'{Snippet(bodies[i], common)}' vs '{Snippet(bodies[i + 1], common)}'");
        }
    }

    /// <summary>
    /// A Claude Code 2.1.332 session (protocol.md §1a) through the real proxy: a role: system messages[1], a ToolSearch
    /// answered by a tool_reference, WebFetch inserted into the tools, the last prompt resent as a string, a
    /// <c>safeguards</c> field that changes every turn. The bytes the backend receives keep every earlier message.
    /// </summary>
    [Theory]
    [InlineData(ServerFlavor.MlxLm)]
    [InlineData(ServerFlavor.LmStudio)]
    public async Task A_2_1_332_session_keeps_each_turns_upstream_messages_as_a_prefix_of_the_next(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        var session = new AnyClaude.OpenAICompat.Tests.Rendering.ClaudeCode2_1_332Session("Fetch the docs and summarise them.");
        var bodies = new List<byte[]>();
        async Task TurnAsync()
        {
            proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));
            using var response = await proxy.PostMessagesAsync(session.Body(), "/v1/messages?beta=true");
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            await response.Content.ReadAsStringAsync();
            bodies.Add(proxy.Fake.LastChatRequest.Body);
        }

        await TurnAsync();
        session.LoadWebFetch("toolu_search");
        await TurnAsync();
        session.ToolCall("toolu_fetch", "WebFetch", """{"url":"https://example.com/docs"}""", "The docs say: use the cache.");
        await TurnAsync();
        session.Answer("The docs say to use the cache.", "Now write it to notes.md.");
        await TurnAsync();
        session.Answer("Done.", "Thanks.");
        await TurnAsync();

        for (int i = 0; i + 1 < bodies.Count; i++)
        {
            int end = EndOfLastMessage(bodies[i]);
            int common = CommonPrefixLength(bodies[i], bodies[i + 1]);
            common.ShouldBeGreaterThanOrEqualTo(end,
                $"turn {i + 2} differs from turn {i + 1} at byte {common}: "
                + $"'{Snippet(bodies[i], common)}' vs '{Snippet(bodies[i + 1], common)}'");
        }

        foreach (string text in bodies.Select(b => System.Text.Encoding.UTF8.GetString(b)))
        {
            text.ShouldNotContain("classifier-context");
            text.ShouldNotContain("cache_control");
        }

        string last = System.Text.Encoding.UTF8.GetString(bodies[^1]);
        last.ShouldContain("Tool loaded: WebFetch");
        last.ShouldNotContain("tool_reference");
    }

    /// <summary>The byte offset just after the last element of the top-level <c>messages</c> array.</summary>
    private static int EndOfLastMessage(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        int end = -1;
        bool inMessages = false;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                inMessages = reader.ValueTextEquals("messages");
            }
            else if (inMessages && reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 2)
            {
                end = (int)reader.BytesConsumed;
            }
        }

        end.ShouldBeGreaterThan(0, "no messages in the upstream body");
        return end;
    }

    private static int CommonPrefixLength(byte[] a, byte[] b) => a.AsSpan().CommonPrefixLength(b);

    private static string Snippet(byte[] body, int at) =>
        System.Text.Encoding.UTF8.GetString(body, Math.Max(0, at - 30), Math.Min(60, body.Length - Math.Max(0, at - 30)));
}
