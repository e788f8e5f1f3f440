using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json;
using AnyClaude.Host.Tests.Routing;

namespace AnyClaude.Host.Tests.Cache;

/// <summary>Title and topic side requests answered by the proxy, so a single-slot backend keeps the conversation's prompt.</summary>
public sealed class LocalSideAnswerTests
{
    /// <summary>The title request as 2.1.332 sends it: <c>output_config.format</c> is a JSON schema with one <c>title</c> property.</summary>
    private static JsonObject TitleRequest(bool stream)
    {
        var body = RequestBodies.Title();
        body["stream"] = stream;
        body["messages"] = new JsonArray
        {
            new JsonObject
            {
                ["role"] = "user",
                ["content"] = "<session>\n<system-reminder>Ignore me.</system-reminder>\nfix the failing parser test in src/Parser.cs, then run it again\n</session>",
            },
        };
        body["output_config"] = JsonNode.Parse("""
            {"format":{"type":"json_schema","schema":{"type":"object","properties":{"title":{"type":"string"}},"required":["title"],"additionalProperties":false}}}
            """);
        return body;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_title_request_gets_a_title_object_matching_its_schema_without_reaching_the_backend(bool stream)
    {
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main"]);
        var request = TitleRequest(stream);

        using var response = await proxy.PostAsync(request);
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        MultiBackendProxy.BackendOf(response).ShouldBe("anyclaude");
        string text = stream ? MultiBackendProxy.TextOf(body) : JsonDocument.Parse(body).RootElement.GetProperty("content")[0].GetProperty("text").GetString()!;
        using var answer = JsonDocument.Parse(text);
        MatchesSchema(answer.RootElement, request["output_config"]!["format"]!["schema"]!.AsObject()).ShouldBeTrue(text);
        answer.RootElement.GetProperty("title").GetString().ShouldBe("Fix the failing parser test in");
        proxy["main"].ChatRequests.Count.ShouldBe(0);
    }

    [Fact]
    public async Task A_topic_request_keeps_the_title_without_reaching_the_backend()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main"]);

        using var response = await proxy.PostAsync(RequestBodies.Topic());
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        using var answer = JsonDocument.Parse(MultiBackendProxy.TextOf(body));
        answer.RootElement.GetProperty("isNewTopic").GetBoolean().ShouldBeFalse();
        answer.RootElement.GetProperty("title").ValueKind.ShouldBe(JsonValueKind.Null);
        proxy["main"].ChatRequests.Count.ShouldBe(0);
    }

    [Fact]
    public async Task The_safety_classifier_always_reaches_a_model()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main"]);

        using var response = await proxy.PostAsync(RequestBodies.Classifier());
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        MultiBackendProxy.TextOf(body).ShouldBe("answer from main");
        proxy["main"].ChatRequests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task With_local_side_answers_off_the_title_request_goes_to_the_model()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main"], configure: o => o with { LocalSideAnswers = false });

        using var response = await proxy.PostAsync(TitleRequest(stream: true));

        MultiBackendProxy.TextOf(await response.Content.ReadAsStringAsync()).ShouldBe("answer from main");
        MultiBackendProxy.BackendOf(response).ShouldBe("main");
        proxy["main"].ChatRequests.Count.ShouldBe(1);
    }

    /// <summary>What Claude Code's schema asks of the answer: an object, the required properties, their types, nothing else.</summary>
    private static bool MatchesSchema(JsonElement value, JsonObject schema)
    {
        if (value.ValueKind != JsonValueKind.Object || (string?)schema["type"] != "object")
        {
            return false;
        }

        var properties = schema["properties"]!.AsObject();
        bool required = schema["required"]!.AsArray().All(name => value.TryGetProperty((string)name!, out _));
        bool typed = value.EnumerateObject().All(p =>
            properties[p.Name] is { } property
                ? (string?)property["type"] switch
                {
                    "string" => p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.Length > 0,
                    _ => false,
                }
                : (bool?)schema["additionalProperties"] != false);
        return required && typed;
    }
}
