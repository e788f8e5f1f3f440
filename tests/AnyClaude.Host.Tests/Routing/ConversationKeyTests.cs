using System.Text;
using System.Text.Json.Nodes;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Host.Http;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Tests.Routing;

public sealed class ConversationKeyTests
{
    [Fact]
    public void The_session_id_in_the_json_user_id_is_the_key()
    {
        ConversationKey.Of(RequestBodies.Parse(RequestBodies.Turn())).ShouldBe("session:5e55-1011");
    }

    [Fact]
    public void The_session_suffix_of_an_older_user_id_is_the_key()
    {
        var body = RequestBodies.Turn();
        body["metadata"] = new JsonObject { ["user_id"] = "user_abc123_account__session_9f1c-42" };
        ConversationKey.Of(RequestBodies.Parse(body)).ShouldBe("session:9f1c-42");
    }

    [Fact]
    public void Without_a_session_the_key_is_a_prefix_hash_that_stays_over_turns_and_changes_with_the_conversation()
    {
        var first = RequestBodies.Turn();
        first.Remove("metadata");
        var later = RequestBodies.Turn();
        later.Remove("metadata");
        later["messages"]!.AsArray().Add(new JsonObject { ["role"] = "assistant", ["content"] = "Done." });
        later["messages"]!.AsArray().Add(new JsonObject { ["role"] = "user", ["content"] = "Thanks" });
        // The billing header differs between sessions' requests and must not matter.
        later["system"]![0]!["text"] = "x-anthropic-billing-header: cc_version=2.1.332.zzz;";
        var other = RequestBodies.Turn(prompt: "Write the docs");
        other.Remove("metadata");

        string key = ConversationKey.Of(RequestBodies.Parse(first));
        key.ShouldStartWith("prefix:");
        ConversationKey.Of(RequestBodies.Parse(later)).ShouldBe(key);
        ConversationKey.Of(RequestBodies.Parse(other)).ShouldNotBe(key);
    }
}

public sealed class AffinityKeyTests
{
    [Fact]
    public void A_subagent_in_the_same_session_is_a_conversation_of_its_own_and_each_keeps_its_key_over_turns()
    {
        var main = RequestBodies.Turn();
        var later = RequestBodies.Turn();
        later["messages"]!.AsArray().Add(new JsonObject { ["role"] = "assistant", ["content"] = "Done." });
        later["messages"]!.AsArray().Add(new JsonObject { ["role"] = "user", ["content"] = "Thanks" });
        var agent = RequestBodies.Turn(prompt: "Search the repository for the parser's tests");
        var system = agent["system"]!.AsArray();
        system[system.Count - 1]!["text"] = "You are an agent for Claude Code. Given the user's message, use the tools available to complete the task.";

        string key = ConversationKey.AffinityOf(RequestBodies.Parse(main));
        key.ShouldStartWith("session:5e55-1011/");
        ConversationKey.AffinityOf(RequestBodies.Parse(later)).ShouldBe(key);
        ConversationKey.AffinityOf(RequestBodies.Parse(agent)).ShouldStartWith("session:5e55-1011/");
        ConversationKey.AffinityOf(RequestBodies.Parse(agent)).ShouldNotBe(key);
    }

    /// <summary>Escapes, non-ASCII text (raw and escaped, a surrogate pair among them), a tool schema, no session.</summary>
    private const string EscapedRequest = """
        {"model":"m","max_tokens":8,
         "system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=1;"},{"type":"text","text":"Line one\nLine \"two\"\tcaf\u00e9 naïve \ud83d\ude00 \\ end"}],
         "tools":[{"name":"Bash","description":"Runs \"a\" command\né","input_schema":{"type":"object","properties":{"command":{"type":"string","description":"caf\u00e9"}}}},
                  {"name":"Read","input_schema":{"type":"object"}}],
         "messages":[{"role":"user","content":[{"type":"text","text":"<system-reminder>\nctx\n</system-reminder>"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},{"type":"text","text":"Fix über \u2603"}]}]}
        """;

    [Fact]
    public void The_prefix_hash_of_escaped_and_non_ascii_text_is_the_one_earlier_builds_computed()
    {
        // The value the build before the allocation-free hash gave for this request (it decoded every text to a
        // string and encoded it again): keys recorded by an earlier build still name the same conversation.
        ConversationKey.Of(Parse(EscapedRequest)).ShouldBe("prefix:fa7cb1c496a784c8eda9bfe4e369b711");
    }

    [Fact]
    public void The_prefix_hash_is_the_same_for_text_read_from_json_and_text_set_in_code()
    {
        var read = Parse(EscapedRequest);
        var set = Parse(EscapedRequest);
        foreach (var block in set.System!.Concat(set.Messages[0].Content.OfType<TextBlock>()))
        {
            block.Text = new string(block.Text);
        }

        ConversationKey.Of(set).ShouldBe(ConversationKey.Of(read));
    }

    [Fact]
    public void Hashing_a_claude_code_sized_prompt_does_not_copy_it()
    {
        // 100 KB of system prompt with escapes in it, like Claude Code's: earlier the hash decoded it to a string
        // (200 KB) and encoded that again (100 KB) on every request.
        var body = RequestBodies.Turn();
        body["system"]!.AsArray().Add(new JsonObject { ["type"] = "text", ["text"] = string.Concat(Enumerable.Repeat("Use the \"Read\" tool.\n", 5_000)) });
        byte[] json = Encoding.UTF8.GetBytes(body.ToJsonString());
        ConversationKey.AffinityOf(MessagesRequestReader.Parse(json, 64));
        var request = MessagesRequestReader.Parse(json, 64);

        long before = GC.GetAllocatedBytesForCurrentThread();
        ConversationKey.AffinityOf(request);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBeLessThan(16 * 1024);
    }

    private static MessagesRequest Parse(string json) => MessagesRequestReader.Parse(Encoding.UTF8.GetBytes(json), 64);
}
