using System.Text.Json.Nodes;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Tests.Routing;

public sealed class RoutingTableTests
{
    private static readonly string[] Names = ["main", "small", "tools", "vision", "bigctx", "reasoner", "fast"];

    private static RoutingTable Table(params Route[] routes) =>
        new("main", routes, new Dictionary<string, IReadOnlyList<string>>(), Names);

    private static Route R(int index, RouteCondition when, string backend, string? model = null) => new(index, when, backend, model);

    private static RouteDecision Decide(RoutingTable table, JsonObject body, bool countTokens = false)
    {
        var request = RequestBodies.Parse(body);
        return table.Decide(new RouteInput(request, RequestClassifier.Classify(request, countTokens)));
    }

    [Fact]
    public void No_match_goes_to_the_default()
    {
        var decision = Decide(Table(R(0, new RouteCondition { Images = true }, "vision")), RequestBodies.Turn());
        decision.ShouldBe(new RouteDecision("main", null, "mode"));
    }

    [Fact]
    public void Background_matches_title_and_topic_but_not_a_turn_or_compaction()
    {
        var table = Table(R(0, new RouteCondition { Background = true }, "small"));
        Decide(table, RequestBodies.Title()).Backend.ShouldBe("small");
        Decide(table, RequestBodies.Topic()).Backend.ShouldBe("small");
        Decide(table, RequestBodies.Turn()).Backend.ShouldBe("main");
        Decide(table, RequestBodies.Compaction()).Backend.ShouldBe("main");
    }

    [Fact]
    public void Model_is_a_case_insensitive_glob_and_the_route_can_choose_the_upstream_model()
    {
        var table = Table(R(0, new RouteCondition { Model = "*haiku*" }, "small", "qwen3-4b"));
        Decide(table, RequestBodies.Turn(model: "claude-HAIKU-5-5")).ShouldBe(new RouteDecision("small", "qwen3-4b", "routes[0]"));
        Decide(table, RequestBodies.Turn(model: "claude-opus-5-5")).Backend.ShouldBe("main");
    }

    [Fact]
    public void Images_match_in_a_message_or_inside_a_tool_result()
    {
        var table = Table(R(0, new RouteCondition { Images = true }, "vision"));
        Decide(table, RequestBodies.WithImage(RequestBodies.Turn())).Backend.ShouldBe("vision");

        var toolResult = RequestBodies.Turn();
        toolResult["messages"]!.AsArray().Add(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "tool_result",
                    ["tool_use_id"] = "t1",
                    ["content"] = new JsonArray { new JsonObject { ["type"] = "image", ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "image/png", ["data"] = "AA==" } } },
                },
            },
        });
        Decide(table, toolResult).Backend.ShouldBe("vision");
        Decide(table, RequestBodies.Turn()).Backend.ShouldBe("main");
    }

    [Fact]
    public void MinPromptTokens_matches_a_prompt_at_least_that_large()
    {
        var table = Table(R(0, new RouteCondition { MinPromptTokens = 1000 }, "bigctx"));
        Decide(table, RequestBodies.Turn(prompt: new string('x', 4100))).Backend.ShouldBe("bigctx");
        Decide(table, RequestBodies.Turn(prompt: "short")).Backend.ShouldBe("main");
    }

    [Fact]
    public void Thinking_matches_enabled_or_adaptive_thinking_only()
    {
        var table = Table(R(0, new RouteCondition { Thinking = true }, "reasoner"));
        Decide(table, RequestBodies.Turn()).Backend.ShouldBe("reasoner");
        Decide(table, RequestBodies.Classifier()).Backend.ShouldBe("main");
    }

    [Fact]
    public void Tools_false_matches_a_request_without_tools()
    {
        var table = Table(R(0, new RouteCondition { Tools = false }, "fast"));
        Decide(table, RequestBodies.Turn(tools: false)).Backend.ShouldBe("fast");
        Decide(table, RequestBodies.Turn(tools: true)).Backend.ShouldBe("main");
    }

    [Fact]
    public void Class_matches_the_request_class()
    {
        var table = Table(R(0, new RouteCondition { Class = RequestClass.Classifier }, "small"), R(1, new RouteCondition { Class = RequestClass.Count }, "fast"));
        Decide(table, RequestBodies.Classifier()).Backend.ShouldBe("small");
        Decide(table, RequestBodies.Turn(), countTokens: true).Backend.ShouldBe("fast");
        Decide(table, RequestBodies.Turn()).Backend.ShouldBe("main");
    }

    [Fact]
    public void All_conditions_of_a_route_must_hold_and_the_first_matching_route_wins()
    {
        var table = Table(
            R(0, new RouteCondition { Tools = true, Images = true }, "vision"),
            R(1, new RouteCondition { Tools = true }, "fast"),
            R(2, new RouteCondition { Tools = true }, "small"));
        Decide(table, RequestBodies.Turn()).ShouldBe(new RouteDecision("fast", null, "routes[1]"));
        Decide(table, RequestBodies.WithImage(RequestBodies.Turn())).Backend.ShouldBe("vision");
    }

    [Theory]
    [InlineData("tools", "tools", null)]
    [InlineData("TOOLS", "tools", null)]
    [InlineData("tools/other-model", "tools", "other-model")]
    [InlineData("small/org/model-x", "small", "org/model-x")]
    [InlineData("claude-via-tools", "tools", null)]
    [InlineData("Claude-Via-TOOLS", "tools", null)]
    public void A_model_naming_a_backend_goes_there_ahead_of_the_routes(string model, string backend, string? upstream)
    {
        var table = Table(R(0, new RouteCondition { Model = "*" }, "vision"));
        Decide(table, RequestBodies.Turn(model: model)).ShouldBe(new RouteDecision(backend, upstream, "model names the backend"));
    }

    [Theory]
    [InlineData("qwen/qwen3-coder-30b")]
    [InlineData("claude-opus-5-5")]
    [InlineData("tools/")]
    [InlineData("claude-via-")]
    [InlineData("claude-via-nothing")]
    public void Other_model_names_are_ordinary_names_for_the_routes_and_the_default(string model)
    {
        Decide(Table(), RequestBodies.Turn(model: model)).ShouldBe(new RouteDecision("main", null, "mode"));
    }
}
