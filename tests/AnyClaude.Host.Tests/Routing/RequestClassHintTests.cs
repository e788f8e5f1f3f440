using System.Text.Json.Nodes;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Requests;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Tests.Routing;

/// <summary>
/// Claude Code 2.1.337's hint headers (<c>x-claude-code-request-class</c> and company, protocol.md 1b) with the body's
/// exact marks: the header decides unless a body mark is more specific.
/// </summary>
public sealed class RequestClassHintTests
{
    [Theory]
    [InlineData("main", "turn")]
    [InlineData("MAIN", "turn")]
    [InlineData("compaction", "compaction")]
    [InlineData("workflow", "workflow")]
    [InlineData("subagent", "subagent/Explore")]
    [InlineData("auxiliary", "auxiliary/memory_save")]
    [InlineData("held_turn", "turn")]
    public void The_header_names_the_class_of_a_turn_shaped_body(string header, string expected)
    {
        var classification = Classify(RequestBodies.Turn(), Hints(header, agentType: "Explore", auxiliaryType: "memory_save"));
        classification.Name.ShouldBe(expected);
    }

    [Fact]
    public void A_body_mark_that_is_more_specific_wins_over_the_header()
    {
        // 2.1.337 sends the title and the safety classifier as `auxiliary`: the title is still answered locally, the
        // classifier still never is.
        Classify(RequestBodies.Title(), Hints("auxiliary")).Class.ShouldBe(RequestClass.Title);
        Classify(RequestBodies.Classifier(), Hints("auxiliary")).Class.ShouldBe(RequestClass.Classifier);
        Classify(RequestBodies.Classifier(), Hints("main")).Class.ShouldBe(RequestClass.Classifier);
        Classify(RequestBodies.Classifier(), Hints("auxiliary", auxiliaryType: "title")).Class.ShouldBe(RequestClass.Classifier);
        Classify(RequestBodies.Probe("qwen3"), Hints("main")).Class.ShouldBe(RequestClass.Probe);
        Classify(RequestBodies.Compaction(), Hints("main")).Class.ShouldBe(RequestClass.Compaction);

        // An auxiliary type alone answers nothing locally: only the title request's own marks do.
        var titleTyped = Classify(RequestBodies.Turn(), Hints("auxiliary", auxiliaryType: "title"));
        titleTyped.Class.ShouldBe(RequestClass.Auxiliary);
        AnyClaude.Host.Proxy.Cache.LocalSideAnswers.TryAnswer(titleTyped.Class, RequestBodies.Parse(RequestBodies.Turn())).ShouldBeNull();
    }

    [Fact]
    public void Without_the_class_header_a_subagent_is_known_by_its_agent_id_or_its_handback_tool()
    {
        Classify(RequestBodies.Turn(), new ClaudeCodeHints(null, null, null, "a1b2c3")).Class.ShouldBe(RequestClass.Subagent);

        var withHandback = RequestBodies.Turn();
        withHandback["tools"]!.AsArray().Add(new JsonObject { ["name"] = "SubagentHandback", ["description"] = "Hand the result back", ["input_schema"] = new JsonObject { ["type"] = "object" } });
        RequestClassifier.Classify(RequestBodies.Parse(withHandback), countTokens: false).ShouldBe(RequestClass.Subagent);

        // The header beats the guess: Claude Code's own word.
        Classify(withHandback, Hints("main")).Class.ShouldBe(RequestClass.Turn);
        RequestClassifier.Classify(RequestBodies.Parse(RequestBodies.Turn()), countTokens: false).ShouldBe(RequestClass.Turn);
    }

    [Fact]
    public void Auxiliary_requests_and_subagents_are_background_only_on_the_small_fast_model()
    {
        // Memory extraction and the like fork the conversation: sent elsewhere they would prefill it all from nothing.
        RequestClassifier.IsBackground(RequestClass.Auxiliary, "claude-opus-5-5").ShouldBeFalse();
        RequestClassifier.IsBackground(RequestClass.Auxiliary, RequestClassifier.BackgroundModel).ShouldBeTrue();
        RequestClassifier.IsBackground(RequestClass.Subagent, "claude-opus-5-5").ShouldBeFalse();
        RequestClassifier.IsBackground(RequestClass.Subagent, RequestClassifier.BackgroundModel).ShouldBeTrue();
        RequestClassifier.IsBackground(RequestClass.Workflow, "claude-opus-5-5").ShouldBeFalse();
    }

    [Fact]
    public void Header_values_that_are_not_plain_short_names_are_ignored()
    {
        var headers = new HeaderDictionary
        {
            [ClaudeCodeHints.RequestClassHeader] = "subagent",
            [ClaudeCodeHints.AgentTypeHeader] = "Explore\r\nInjected: yes",
            [ClaudeCodeHints.AuxiliaryTypeHeader] = new string('m', 65),
            [ClaudeCodeHints.AgentIdHeader] = "agent-7f3e",
        };
        var hints = ClaudeCodeHints.From(headers);
        hints.RequestClass.ShouldBe("subagent");
        hints.AgentType.ShouldBeNull();
        hints.AuxiliaryType.ShouldBeNull();
        hints.AgentId.ShouldBe("agent-7f3e");
        ClaudeCodeHints.From(new HeaderDictionary()).ShouldBeSameAs(ClaudeCodeHints.None);
    }

    [Fact]
    public void A_subagent_has_its_own_affinity_key_never_the_main_conversations()
    {
        var main = RequestBodies.Parse(RequestBodies.Turn());
        string mainKey = ConversationKey.AffinityOf(main);

        // Same session, same system and tools, same first message (the worst case): the agent id tells it apart.
        string sameShape = ConversationKey.AffinityOf(RequestBodies.Parse(RequestBodies.Turn()), "agent-1");
        sameShape.ShouldNotBe(mainKey);
        sameShape.ShouldStartWith("session:5e55-1011/");
        ConversationKey.AffinityOf(RequestBodies.Parse(RequestBodies.Turn()), "agent-2").ShouldNotBe(sameShape);
        ConversationKey.AffinityOf(RequestBodies.Parse(RequestBodies.Turn()), "agent-1").ShouldBe(sameShape);
    }

    [Fact]
    public void Through_the_router_the_agent_id_keys_a_subagent_but_not_an_auxiliary_fork_of_the_conversation()
    {
        var router = new Router(new LiveRouting(new RoutingTable("a", [], new Dictionary<string, IReadOnlyList<string>>(), ["a"])));
        string main = router.Route(RequestBodies.Parse(RequestBodies.Turn()), countTokens: false).AffinityKey;

        var subagent = router.Route(RequestBodies.Parse(RequestBodies.Turn()), countTokens: false, new ClaudeCodeHints("subagent", "Explore", null, "agent-9"));
        subagent.Class.ShouldBe(RequestClass.Subagent);
        subagent.AffinityKey.ShouldNotBe(main);

        // Memory extraction forks the conversation (same system, tools and messages): it keeps the conversation's key.
        var fork = router.Route(RequestBodies.Parse(RequestBodies.Turn()), countTokens: false, new ClaudeCodeHints("auxiliary", null, null, "agent-9"));
        fork.Class.ShouldBe(RequestClass.Auxiliary);
        fork.AffinityKey.ShouldBe(main);
    }

    private static Classification Classify(JsonObject body, ClaudeCodeHints hints) => RequestClassifier.Classify(RequestBodies.Parse(body), countTokens: false, hints);

    private static ClaudeCodeHints Hints(string requestClass, string? agentType = null, string? auxiliaryType = null)
    {
        var headers = new HeaderDictionary { [ClaudeCodeHints.RequestClassHeader] = requestClass };
        if (agentType is not null)
        {
            headers[ClaudeCodeHints.AgentTypeHeader] = agentType;
        }

        if (auxiliaryType is not null)
        {
            headers[ClaudeCodeHints.AuxiliaryTypeHeader] = auxiliaryType;
        }

        return ClaudeCodeHints.From(headers);
    }
}
