using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Host.Proxy.ContextWindows;

namespace AnyClaude.Host.Tests.ContextWindows;

/// <summary>
/// The upper bound a conversation's turn gets from its last sized prompt: the last figure plus at least every byte it
/// appended, and no bound at all for a prompt that is not the last one plus more (compacted, edited, new system prompt or
/// tools, another backend or model) or that appends what bytes do not bound (an image).
/// </summary>
public sealed class PromptGrowthTests
{
    private const int LastCount = 9_000;
    private static readonly string Key = PromptGrowth.KeyOf("llama", "m", "session-1");

    [Fact]
    public void One_pass_gives_the_hash_of_the_first_messages_and_of_all_of_them()
    {
        var request = Request(Turns(3));

        var (prefix, whole) = PromptShape.Hashes(request, 2);

        prefix.ShouldBe(PromptShape.Hash(request, 2));
        whole.ShouldBe(PromptShape.Hash(request, request.Messages.Count));
        prefix.ShouldNotBe(whole);
        PromptShape.Hashes(request, 0).Prefix.ShouldBe(PromptShape.Hash(request, 0));
    }

    [Fact]
    public void A_turn_whose_bound_was_found_is_remembered_with_the_hash_made_in_that_pass()
    {
        var growth = new PromptGrowth();
        var turns = Turns(2);
        growth.Remember(Key, Request(turns), LastCount);
        turns.Add(("assistant", "An answer."));
        turns.Add(("user", "A question."));
        var grown = Request(turns);

        long bound = growth.Bound(Key, grown, out byte[]? hash)!.Value.Tokens;
        growth.Remember(Key, grown, bound, hash);
        turns.Add(("assistant", "Another answer."));
        turns.Add(("user", "Another question."));

        hash.ShouldBe(PromptShape.Hash(grown, grown.Messages.Count));
        growth.UpperBound(Key, Request(turns)).ShouldNotBeNull("the next turn extends the remembered one");
    }

    [Fact]
    public void A_conversation_never_sized_has_no_bound()
    {
        new PromptGrowth().UpperBound(Key, Request(Turns(2))).ShouldBeNull();
    }

    [Fact]
    public void A_turn_that_appended_is_bounded_by_the_last_count_plus_at_least_every_byte_it_appended_though_the_cache_marker_moved()
    {
        var growth = new PromptGrowth();
        var turns = Turns(2);
        growth.Remember(Key, Request(turns), LastCount);
        string answer = "The notes describe a proxy — ünïcode included.";
        string next = string.Join(' ', Enumerable.Repeat("follow-up", 40));
        turns.Add(("assistant", answer));
        turns.Add(("user", next));

        long? bound = growth.UpperBound(Key, Request(turns));

        bound.ShouldNotBeNull("the prompt is the last one plus two messages; only the cache marker moved");
        long appendedBytes = Encoding.UTF8.GetByteCount(answer) + Encoding.UTF8.GetByteCount(next);
        bound.Value.ShouldBeGreaterThanOrEqualTo(LastCount + appendedBytes, "a token is at least one byte");
        bound.Value.ShouldBeLessThan(LastCount + appendedBytes + 200, "and the template's room is a few tokens a part");
    }

    [Fact]
    public void A_bound_remembered_is_built_on_by_the_next_turn()
    {
        var growth = new PromptGrowth();
        var turns = Turns(2);
        growth.Remember(Key, Request(turns), LastCount);
        turns.Add(("assistant", "One."));
        turns.Add(("user", "Two?"));
        long first = growth.UpperBound(Key, Request(turns))!.Value;
        growth.Remember(Key, Request(turns), first);
        turns.Add(("assistant", "Three."));
        turns.Add(("user", "Four?"));

        growth.UpperBound(Key, Request(turns))!.Value.ShouldBeGreaterThan(first);
    }

    [Fact]
    public void A_bounds_slack_is_what_was_appended_since_the_last_exact_count_and_an_exact_count_clears_it()
    {
        var growth = new PromptGrowth();
        var turns = Turns(2);
        growth.Remember(Key, Request(turns), LastCount);
        turns.Add(("assistant", "One."));
        turns.Add(("user", "Two?"));
        var first = growth.Bound(Key, Request(turns), out _)!.Value;
        first.Slack.ShouldBe(first.Tokens - LastCount, "an exact count has no slack: the bound's is all it appended");
        growth.Remember(Key, Request(turns), first.Tokens, slack: first.Slack);
        turns.Add(("assistant", "Three."));
        turns.Add(("user", "Four?"));

        var second = growth.Bound(Key, Request(turns), out _)!.Value;
        second.Slack.ShouldBe(second.Tokens - LastCount, "built on a bound, the slack adds up from the last exact count");
        second.Slack.ShouldBeGreaterThan(first.Slack);

        growth.Remember(Key, Request(turns), LastCount + 40);
        turns.Add(("assistant", "Five."));
        turns.Add(("user", "Six?"));
        var third = growth.Bound(Key, Request(turns), out _)!.Value;
        third.Slack.ShouldBe(third.Tokens - (LastCount + 40), "counted exactly again: only what came after");
        third.Slack.ShouldBeLessThan(second.Slack);
    }

    [Fact]
    public void A_compacted_conversation_has_no_bound()
    {
        var growth = new PromptGrowth();
        growth.Remember(Key, Request(Turns(6)), LastCount);

        growth.UpperBound(Key, Request([("user", "Summary of the conversation so far."), ("assistant", "Ok."), ("user", "Go on.")])).ShouldBeNull();
        growth.UpperBound(Key, Request(Turns(4))).ShouldBeNull("fewer messages");
    }

    [Fact]
    public void An_earlier_message_edited_has_no_bound_though_messages_were_appended()
    {
        var growth = new PromptGrowth();
        var turns = Turns(3);
        growth.Remember(Key, Request(turns), LastCount);
        turns[1] = ("assistant", "An answer rewritten.");
        turns.Add(("assistant", "More."));
        turns.Add(("user", "And more?"));

        growth.UpperBound(Key, Request(turns)).ShouldBeNull();
    }

    [Fact]
    public void A_new_system_prompt_or_new_tools_have_no_bound()
    {
        var growth = new PromptGrowth();
        var turns = Turns(2);
        growth.Remember(Key, Request(turns), LastCount);
        turns.Add(("assistant", "One."));
        turns.Add(("user", "Two?"));

        growth.UpperBound(Key, Request(turns, system: "Another system prompt.")).ShouldBeNull();
        growth.UpperBound(Key, Request(turns, tool: "Edit")).ShouldBeNull();
        growth.UpperBound(Key, Request(turns)).ShouldNotBeNull();
    }

    [Fact]
    public void Another_backend_or_model_has_a_tokenizer_of_its_own_and_no_bound()
    {
        var growth = new PromptGrowth();
        var turns = Turns(2);
        growth.Remember(Key, Request(turns), LastCount);
        turns.Add(("assistant", "One."));
        turns.Add(("user", "Two?"));

        growth.UpperBound(PromptGrowth.KeyOf("fallback", "m", "session-1"), Request(turns)).ShouldBeNull();
        growth.UpperBound(PromptGrowth.KeyOf("llama", "other-model", "session-1"), Request(turns)).ShouldBeNull();
    }

    [Fact]
    public void An_appended_image_is_not_bounded_by_its_bytes_and_has_no_bound()
    {
        var growth = new PromptGrowth();
        var turns = Turns(2);
        growth.Remember(Key, Request(turns), LastCount);
        var request = Request(turns);
        request.Messages.Add(new Message { Role = "assistant", Content = [new TextBlock("Send it.")] });
        request.Messages.Add(new Message { Role = "user", Content = [new ImageBlock { Source = new MediaSource { MediaType = "image/png", Data = "iVBORw0KGgo=" } }] });

        growth.UpperBound(Key, request).ShouldBeNull();
    }

    [Fact]
    public void A_tool_calls_arguments_count_six_times_their_bytes_as_a_template_may_escape_them()
    {
        var growth = new PromptGrowth();
        var turns = Turns(2);
        growth.Remember(Key, Request(turns), LastCount);
        var request = Request(turns);
        string arguments = """{"file_path":"/tmp/a<b>.txt"}""";
        request.Messages.Add(new Message
        {
            Role = "assistant",
            Content = [new ToolUseBlock { Id = "t1", Name = "Read", Input = JsonDocument.Parse(arguments).RootElement }],
        });

        growth.UpperBound(Key, request)!.Value.ShouldBeGreaterThanOrEqualTo(LastCount + (6L * arguments.Length));
    }

    [Fact]
    public void Only_the_conversations_seen_last_are_kept()
    {
        var growth = new PromptGrowth();
        var request = Request(Turns(2));
        for (int i = 0; i <= PromptGrowth.Capacity; i++)
        {
            growth.Remember(PromptGrowth.KeyOf("llama", "m", $"session-{i}"), request, LastCount);
        }

        growth.UpperBound(PromptGrowth.KeyOf("llama", "m", "session-0"), request).ShouldBeNull("the oldest was dropped");
        growth.UpperBound(PromptGrowth.KeyOf("llama", "m", $"session-{PromptGrowth.Capacity}"), request).ShouldBe(LastCount);
    }

    private static List<(string Role, string Text)> Turns(int count) =>
        [.. Enumerable.Range(0, count).Select(i => (i % 2 == 0 ? "user" : "assistant", $"Message {i} of the conversation."))];

    /// <summary>A request as Claude Code sends it, parsed as the proxy parses it: the cache marker on the last block only.</summary>
    private static MessagesRequest Request(List<(string Role, string Text)> turns, string system = "You are Claude Code.", string tool = "Read")
    {
        var messages = new JsonArray();
        for (int i = 0; i < turns.Count; i++)
        {
            var block = new JsonObject { ["type"] = "text", ["text"] = turns[i].Text };
            if (i == turns.Count - 1)
            {
                block["cache_control"] = new JsonObject { ["type"] = "ephemeral" };
            }

            messages.Add(new JsonObject { ["role"] = turns[i].Role, ["content"] = new JsonArray { block } });
        }

        var body = new JsonObject
        {
            ["model"] = "m",
            ["system"] = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = system } },
            ["tools"] = new JsonArray { new JsonObject { ["name"] = tool, ["description"] = "A tool", ["input_schema"] = new JsonObject { ["type"] = "object" } } },
            ["messages"] = messages,
            ["max_tokens"] = 256,
        };
        return JsonSerializer.Deserialize(body.ToJsonString(), AnthropicJsonContext.Default.MessagesRequest)!;
    }
}
