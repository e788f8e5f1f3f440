using System.Text.Json.Nodes;
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
}
