using System.Text.Json.Nodes;

namespace AnyClaude.Host.Tests.Cache;

/// <summary>A tool-using conversation as Claude Code sends it: each turn the previous one plus a tool round, the same session id.</summary>
internal static class ConversationTurns
{
    public static JsonObject Turn(int turn, string session = "5e55-1011", string topic = "the parser")
    {
        var messages = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = $"Refactor {topic} and run the tests. " + new string('x', 2000) } };
        for (int i = 1; i < turn; i++)
        {
            messages.Add(new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = new JsonArray { new JsonObject { ["type"] = "tool_use", ["id"] = $"toolu_{i}", ["name"] = "Bash", ["input"] = new JsonObject { ["command"] = $"make test-{i}" } } },
            });
            messages.Add(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray { new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = $"toolu_{i}", ["content"] = $"ok {i} " + new string('y', 1500) } },
            });
        }

        return new JsonObject
        {
            ["model"] = "claude-opus-5-5",
            ["max_tokens"] = 1024,
            ["stream"] = true,
            ["system"] = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = "You are an interactive CLI tool that helps users with software engineering tasks. " + new string('s', 4000) } },
            ["tools"] = new JsonArray
            {
                new JsonObject { ["name"] = "Bash", ["description"] = "Runs a command", ["input_schema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["command"] = new JsonObject { ["type"] = "string" } } } },
            },
            ["metadata"] = new JsonObject { ["user_id"] = $"{{\"device_id\":\"d1\",\"session_id\":\"{session}\"}}" },
            ["messages"] = messages,
        };
    }
}
