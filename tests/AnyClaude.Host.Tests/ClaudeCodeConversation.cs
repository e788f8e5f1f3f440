using System.Text.Json.Nodes;

namespace AnyClaude.Host.Tests;

/// <summary>Builds request bodies shaped like the ones Claude Code sends (protocol.md §1), turn after turn.</summary>
internal sealed class ClaudeCodeConversation
{
    private readonly JsonArray _messages = [];
    private int _turn;

    public ClaudeCodeConversation(string firstPrompt, bool midConversationSystem = true)
    {
        _messages.Add(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray
            {
                new JsonObject { ["type"] = "text", ["text"] = "<system-reminder>\nAs you answer, use the context.\n</system-reminder>" },
                new JsonObject { ["type"] = "text", ["text"] = firstPrompt },
            },
        });
        if (midConversationSystem)
        {
            _messages.Add(new JsonObject { ["role"] = "system", ["content"] = MidSystemText });
        }
    }

    public const string MidSystemText = "MID-CONVERSATION SYSTEM NOTE: the user's skills are listed here.";

    public const string IdentityText = "You are Claude Code, Anthropic's official CLI for Claude.";

    public const string MainPromptText = "You are an interactive CLI tool that helps users with software engineering tasks. Working directory: /tmp/project. Platform: linux.";

    public bool Thinking { get; init; } = true;

    /// <summary>The body of the current turn: cache_control on the last block only, a billing header whose suffix changes per turn.</summary>
    public string Body(bool stream = true)
    {
        _turn++;
        foreach (var message in _messages)
        {
            if (message!["content"] is JsonArray blocks)
            {
                foreach (var block in blocks)
                {
                    block!.AsObject().Remove("cache_control");
                }
            }
        }

        if (_messages[^1]!["content"] is JsonArray last)
        {
            last[^1]!["cache_control"] = new JsonObject { ["type"] = "ephemeral" };
        }

        var body = new JsonObject
        {
            ["model"] = "claude-opus-4-5",
            ["messages"] = _messages.DeepClone(),
            ["system"] = new JsonArray
            {
                new JsonObject { ["type"] = "text", ["text"] = $"x-anthropic-billing-header: cc_version=2.1.197.{_turn:x3}; cc_entrypoint=cli;" },
                new JsonObject { ["type"] = "text", ["text"] = IdentityText, ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } },
                new JsonObject { ["type"] = "text", ["text"] = MainPromptText, ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } },
            },
            ["tools"] = new JsonArray
            {
                Tool("Write", "Write a file", """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"file_path":{"type":"string"},"content":{"type":"string"}},"required":["file_path","content"],"additionalProperties":false}"""),
                Tool("Read", "Read a file", """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"file_path":{"type":"string"}},"required":["file_path"]}"""),
                Tool("WebFetch", "Fetch a URL", """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"url":{"type":"string","format":"uri"}},"required":["url"]}"""),
            },
            ["metadata"] = new JsonObject { ["user_id"] = """{"device_id":"abc","session_id":"s-1"}""" },
            ["max_tokens"] = 64000,
            ["thinking"] = Thinking ? new JsonObject { ["type"] = "adaptive" } : new JsonObject { ["type"] = "disabled" },
            ["context_management"] = new JsonObject { ["edits"] = new JsonArray { new JsonObject { ["type"] = "clear_thinking_20251015", ["keep"] = "all" } } },
            ["output_config"] = new JsonObject { ["effort"] = "high" },
            ["stream"] = stream,
        };
        return body.ToJsonString();
    }

    /// <summary>Appends the assistant's answer and the user's next prompt.</summary>
    public void Append(string assistantText, string userText)
    {
        _messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = assistantText } } });
        _messages.Add(new JsonObject { ["role"] = "user", ["content"] = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = userText } } });
    }

    private static JsonObject Tool(string name, string description, string schema) => new()
    {
        ["name"] = name,
        ["description"] = description,
        ["input_schema"] = JsonNode.Parse(schema),
    };
}
