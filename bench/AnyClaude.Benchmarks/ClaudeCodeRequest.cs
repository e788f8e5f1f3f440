using System.Text.Json.Nodes;
using System.Text;

namespace AnyClaude.Benchmarks;

/// <summary>
/// A request the size and shape of a Claude Code turn: about 60 KB of system prompt in blocks (billing header
/// first), 20 tools with JSON schemas (each with <c>$schema</c>), and a few tool_use/tool_result rounds.
/// </summary>
internal static class ClaudeCodeRequest
{
    public static byte[] Create()
    {
        var system = new JsonArray
        {
            Text("x-anthropic-billing-header: cc_version=2.1.197.abc; cc_entrypoint=cli;"),
            Text("You are Claude Code, Anthropic's official CLI for Claude.", cache: true),
            Text(Filler("# Instructions\nYou are an interactive CLI tool that helps users with software engineering tasks. ", 40_000), cache: true),
            Text(Filler("# Environment\nWorking directory: /home/user/project. Platform: linux. Git repository: yes. ", 20_000), cache: true),
        };

        var tools = new JsonArray();
        for (int i = 0; i < 20; i++)
        {
            tools.Add(new JsonObject
            {
                ["name"] = $"Tool{i}",
                ["description"] = Filler($"Tool {i} does a useful thing with files and commands. ", 400),
                ["input_schema"] = JsonNode.Parse("""
                    {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
                     "properties":{
                       "file_path":{"type":"string","description":"The absolute path to the file to operate on"},
                       "url":{"type":"string","format":"uri","description":"A URL to fetch"},
                       "pattern":{"type":"string","description":"A regular expression"},
                       "limit":{"type":"number","description":"How many lines to read"},
                       "options":{"type":"object","properties":{"recursive":{"type":"boolean"},"mode":{"type":"string","enum":["a","b","c"]}}},
                       "edits":{"type":"array","items":{"type":"object","properties":{"old_string":{"type":"string"},"new_string":{"type":"string"}},"required":["old_string","new_string"]}}
                     },
                     "required":["file_path"]}
                    """),
            });
        }

        var messages = new JsonArray
        {
            new JsonObject { ["role"] = "user", ["content"] = new JsonArray { Text("<system-reminder>context</system-reminder>"), Text("Refactor the parser and run the tests.") } },
        };
        for (int round = 0; round < 4; round++)
        {
            messages.Add(new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = new JsonArray
                {
                    Text($"Step {round}: reading the file."),
                    new JsonObject { ["type"] = "tool_use", ["id"] = $"toolu_{round}", ["name"] = "Tool1", ["input"] = new JsonObject { ["file_path"] = $"/home/user/project/src/file{round}.cs" } },
                },
            });
            messages.Add(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray
                {
                    new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = $"toolu_{round}", ["content"] = Filler("     1\tusing System;\n     2\tnamespace Project;\n", 2_500) },
                },
            });
        }

        ((JsonArray)messages[^1]!["content"]!)[^1]!["cache_control"] = new JsonObject { ["type"] = "ephemeral" };
        var body = new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["max_tokens"] = 64000,
            ["stream"] = true,
            ["system"] = system,
            ["tools"] = tools,
            ["messages"] = messages,
            ["metadata"] = new JsonObject { ["user_id"] = "user_abc_session_1" },
        };
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    private static JsonObject Text(string text, bool cache = false)
    {
        var block = new JsonObject { ["type"] = "text", ["text"] = text };
        if (cache)
        {
            block["cache_control"] = new JsonObject { ["type"] = "ephemeral" };
        }

        return block;
    }

    private static string Filler(string sentence, int length)
    {
        var text = new StringBuilder(length + sentence.Length);
        while (text.Length < length)
        {
            text.Append(sentence);
        }

        return text.ToString(0, length);
    }
}
