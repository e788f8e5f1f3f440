using System.Text.Json.Nodes;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Host.Http;

namespace AnyClaude.Host.Tests.Routing;

/// <summary>Request bodies carrying the marks of Claude Code's request kinds (protocol.md 1a), as the wire has them.</summary>
internal static class RequestBodies
{
    public const string Billing = "x-anthropic-billing-header: cc_version=2.1.332.abc; cc_entrypoint=cli;";
    public const string Identity = "You are Claude Code, Anthropic's official CLI for Claude.";

    public static JsonObject Turn(string model = "claude-opus-5-5", string prompt = "Fix the failing test", bool tools = true, bool stream = true) => new()
    {
        ["model"] = model,
        ["messages"] = new JsonArray
        {
            new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray
                {
                    new JsonObject { ["type"] = "text", ["text"] = "<system-reminder>\ncontext\n</system-reminder>" },
                    new JsonObject { ["type"] = "text", ["text"] = prompt },
                },
            },
            new JsonObject { ["role"] = "system", ["content"] = "Working directory: /tmp/project" },
        },
        ["system"] = System(Billing, Identity, "You are an interactive CLI tool that helps users with software engineering tasks."),
        ["tools"] = tools ? new JsonArray { Tool("Bash"), Tool("Read") } : new JsonArray(),
        ["metadata"] = new JsonObject { ["user_id"] = "{\"device_id\":\"d1\",\"account_uuid\":\"\",\"session_id\":\"5e55-1011\"}" },
        ["max_tokens"] = 128000,
        ["thinking"] = new JsonObject { ["type"] = "adaptive", ["display"] = "omitted" },
        ["stream"] = stream,
    };

    public static JsonObject Title() => new()
    {
        ["model"] = "claude-haiku-5-5",
        ["messages"] = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = "<session>\nFix the failing test\n</session>" } },
        ["system"] = System(Billing, Identity, "You are naming a coding session. Reply with JSON {\"title\": …}."),
        ["tools"] = new JsonArray(),
        ["max_tokens"] = 32000,
        ["output_config"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "json_schema" } },
        ["stream"] = true,
    };

    /// <summary>2.1.197's topic-detection side call.</summary>
    public static JsonObject Topic() => new()
    {
        ["model"] = "claude-3-5-haiku-20241022",
        ["messages"] = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = "Fix the failing test" } },
        ["system"] = System(Identity, "Analyze if this message indicates a new conversation topic. If it does, extract a 2-3 word title that captures the new topic. Format your response as a JSON object with two fields: 'isNewTopic' (boolean) and 'title' (string, or null if isNewTopic is false)."),
        ["max_tokens"] = 512,
        ["stream"] = true,
    };

    public static JsonObject Probe(string model) => new()
    {
        ["model"] = model,
        ["messages"] = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = "Hi" } },
        ["system"] = System(Billing, Identity),
        ["max_tokens"] = 1,
    };

    public static JsonObject Classifier() => new()
    {
        ["model"] = "claude-sonnet-5",
        ["messages"] = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = "<transcript>Bash: rm -rf build</transcript>" } },
        ["system"] = System(Billing, "You are a security monitor for autonomous AI coding agents. Decide whether the action is dangerous."),
        ["max_tokens"] = 64,
        ["stop_sequences"] = new JsonArray { "</block>" },
        ["thinking"] = new JsonObject { ["type"] = "disabled" },
        ["stream"] = true,
    };

    public static JsonObject Compaction()
    {
        var body = Turn();
        body["messages"]!.AsArray().Add(new JsonObject { ["role"] = "assistant", ["content"] = "Done." });
        body["messages"]!.AsArray().Add(new JsonObject { ["role"] = "user", ["content"] = "CRITICAL: Respond with TEXT ONLY. Do NOT call any tools.\n\nSummarize the conversation." });
        return body;
    }

    public static JsonObject WithImage(JsonObject body)
    {
        body["messages"]![0]!["content"]!.AsArray().Add(new JsonObject
        {
            ["type"] = "image",
            ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "image/png", ["data"] = "iVBORw0KGgo=" },
        });
        return body;
    }

    public static MessagesRequest Parse(JsonObject body) => MessagesRequestReader.Parse(global::System.Text.Encoding.UTF8.GetBytes(body.ToJsonString()), 64);

    private static JsonArray System(params string[] texts)
    {
        var blocks = new JsonArray();
        foreach (string text in texts)
        {
            blocks.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }

        return blocks;
    }

    private static JsonObject Tool(string name) => new()
    {
        ["name"] = name,
        ["description"] = $"The {name} tool.",
        ["input_schema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() },
    };
}
