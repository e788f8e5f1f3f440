using System.Text.Json.Nodes;

namespace AnyClaude.OpenAICompat.Tests.Rendering;

/// <summary>
/// Request bodies shaped like Claude Code 2.1.332's (protocol.md §1a), turn after turn: <c>messages[1]</c> is a
/// <c>role: system</c> message, the last message is a one-text-block array with <c>cache_control</c> that is resent
/// as a plain string on the next turn, deferred tools (<c>defer_loading</c>) with a <c>DeferredToolPlaceholder</c>,
/// a ToolSearch call answered by a <c>tool_reference</c> result after which WebFetch is inserted into <c>tools</c> in
/// alphabetical order, and a top-level <c>safeguards</c> field that changes every turn.
/// </summary>
internal sealed class ClaudeCode2_1_332Session
{
    public const string SystemMessageText = "# Environment\nPrimary working directory: /tmp/project\nPlatform: linux\nDeferred tools: WebFetch, WebSearch, NotebookEdit.\nToday's date is 2026-12-01.";

    private readonly JsonArray _messages = [];
    private readonly List<JsonObject> _tools;
    private int _turn;

    public ClaudeCode2_1_332Session(string firstPrompt)
    {
        _messages.Add(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray
            {
                new JsonObject { ["type"] = "text", ["text"] = "<system-reminder>\nAttribution for git commits.\n</system-reminder>\n" },
                new JsonObject { ["type"] = "text", ["text"] = firstPrompt },
            },
        });
        _messages.Add(new JsonObject
        {
            ["role"] = "system",
            ["content"] = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = SystemMessageText } },
            ["output_config"] = new JsonObject { ["effort"] = "medium" },
        });
        _tools =
        [
            Tool("Bash", "Run a command", """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"command":{"type":"string"}},"required":["command"]}"""),
            Tool("Read", "Read a file", """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"file_path":{"type":"string"}},"required":["file_path"]}"""),
            Tool("ToolSearch", "Load deferred tools", """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"query":{"type":"string"}},"required":["query"]}"""),
            Tool("DeferredToolPlaceholder", "Reserved placeholder that keeps deferred tool loading active; never call this tool.", """{"type":"object","properties":{}}""", deferred: true),
            Tool("Write", "Write a file", """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"file_path":{"type":"string"},"content":{"type":"string"}},"required":["file_path","content"]}"""),
        ];
    }

    /// <summary>A value that changes every turn and must never reach the upstream prompt.</summary>
    public string SafeguardMark => $"classifier-context-of-turn-{_turn}";

    /// <summary>The body of the next turn: cache_control on the last message only, a new <c>safeguards</c> value.</summary>
    public string Body()
    {
        _turn++;
        var messages = (JsonArray)_messages.DeepClone();
        for (int i = 0; i < messages.Count; i++)
        {
            var message = messages[i]!.AsObject();
            bool last = i == messages.Count - 1;
            // Claude Code 2.1.332 sends a message as a one-text-block array while it is the last one (with cache_control),
            // and as a plain string once it is not (protocol.md §1a); the role: system message stays an array.
            if (!last && i >= 2 && message["role"]!.GetValue<string>() == "user"
                && message["content"] is JsonArray { Count: 1 } one && one[0]!["type"]!.GetValue<string>() == "text")
            {
                message["content"] = one[0]!["text"]!.GetValue<string>();
            }

            if (last && message["content"] is JsonArray blocks)
            {
                blocks[^1]!["cache_control"] = new JsonObject { ["type"] = "ephemeral" };
            }
        }

        var body = new JsonObject
        {
            ["model"] = "claude-opus-5-5",
            ["messages"] = messages,
            ["system"] = new JsonArray
            {
                new JsonObject { ["type"] = "text", ["text"] = "You are Claude Code, Anthropic's official CLI for Claude.", ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } },
                new JsonObject { ["type"] = "text", ["text"] = "You are an interactive agent that helps users with software engineering tasks.", ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } },
            },
            ["tools"] = new JsonArray([.. _tools.Select(t => t.DeepClone())]),
            ["metadata"] = new JsonObject { ["user_id"] = """{"device_id":"abc","session_id":"s-2"}""" },
            ["max_tokens"] = 128000,
            ["thinking"] = new JsonObject { ["type"] = "adaptive", ["display"] = "omitted" },
            ["context_management"] = new JsonObject { ["edits"] = new JsonArray { new JsonObject { ["type"] = "clear_thinking_20251015", ["keep"] = "all" } } },
            ["output_config"] = new JsonObject { ["effort"] = "medium" },
            ["safeguards"] = new JsonArray { new JsonObject { ["type"] = "dangerous_tool_use", ["classifier_context"] = new JsonObject { ["transcript"] = SafeguardMark } } },
            ["stream"] = true,
        };
        return body.ToJsonString();
    }

    /// <summary>The model called ToolSearch for WebFetch: the result is a tool_reference, and WebFetch joins the tools in alphabetical order.</summary>
    public void LoadWebFetch(string id)
    {
        _messages.Add(Assistant(new JsonObject { ["type"] = "tool_use", ["id"] = id, ["name"] = "ToolSearch", ["input"] = new JsonObject { ["query"] = "select:WebFetch" } }));
        _messages.Add(User(new JsonObject
        {
            ["type"] = "tool_result",
            ["tool_use_id"] = id,
            ["content"] = new JsonArray
            {
                new JsonObject { ["type"] = "tool_reference", ["tool_name"] = "WebFetch" },
                new JsonObject { ["type"] = "text", ["text"] = "Tool loaded." },
            },
        }));
        var webFetch = Tool("WebFetch", "Fetch a URL", """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"url":{"type":"string","format":"uri"}},"required":["url"]}""", deferred: true);
        int at = _tools.FindIndex(t => string.CompareOrdinal(t["name"]!.GetValue<string>(), "WebFetch") > 0);
        _tools.Insert(at < 0 ? _tools.Count : at, webFetch);
    }

    public void ToolCall(string id, string name, string inputJson, string result)
    {
        _messages.Add(Assistant(new JsonObject { ["type"] = "tool_use", ["id"] = id, ["name"] = name, ["input"] = JsonNode.Parse(inputJson) }));
        _messages.Add(User(new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = id, ["content"] = result }));
    }

    /// <summary>The assistant's answer and the user's next prompt (sent as a one-text-block array while it is last).</summary>
    public void Answer(string assistantText, string userText)
    {
        _messages.Add(Assistant(new JsonObject { ["type"] = "text", ["text"] = assistantText }));
        _messages.Add(User(new JsonObject { ["type"] = "text", ["text"] = userText }));
    }

    private static JsonObject Assistant(JsonObject block) => new() { ["role"] = "assistant", ["content"] = new JsonArray { block } };

    private static JsonObject User(JsonObject block) => new() { ["role"] = "user", ["content"] = new JsonArray { block } };

    private static JsonObject Tool(string name, string description, string schema, bool deferred = false)
    {
        var tool = new JsonObject { ["name"] = name, ["description"] = description, ["input_schema"] = JsonNode.Parse(schema) };
        if (deferred)
        {
            tool["defer_loading"] = true;
        }

        return tool;
    }
}
