using System.Text;
using System.Text.Json.Nodes;

namespace AnyClaude.LoadBench;

/// <summary>
/// One interactive Claude Code 2.1.337 session as it reaches the API (protocol.md §1a, §1b): the first turn (billing
/// header, identity, a 6–7 KB main prompt, 12 tools of ~32 KB, a first user message with a <c>&lt;system-reminder&gt;</c>,
/// and a <c>role: "system"</c> message of ~10 KB), the title request, the auto-mode safety classifier (its own ~144 KB
/// system prompt and a ~1 KB transcript of the Bash call it judges) and follow-up turns. The head (system prompt, tools,
/// the classifier's prompt) is the same in every session of the version; the billing header's suffix, the session id
/// and the user's words differ per session, as Claude Code sends them.
/// </summary>
internal sealed class ClaudeCodeSession(ClaudeCodeSession.Shape shape, string name)
{
    public const string Version = "2.1.337";

    private const string ClassifierMark = "You are a security monitor for autonomous AI coding agents.";

    private static readonly string[] ToolNames = ["Agent", "Bash", "Edit", "ExitPlanMode", "Glob", "Grep", "Read", "Skill", "TaskCreate", "TaskUpdate", "ToolSearch", "Write"];

    private static readonly string[] Words =
    [
        "the", "file", "parser", "token", "stream", "buffer", "module", "test", "build", "config", "route", "cache", "server", "client", "thread",
        "queue", "index", "user", "command", "directory", "repository", "commit", "branch", "function", "method", "class", "interface", "return",
        "value", "error", "exception", "message", "request", "response", "header", "schema", "property", "argument", "option", "default",
        "never", "always", "only", "when", "before", "after", "unless", "must", "should", "may", "with", "without", "into", "from", "each",
        "`git status`", "`npm test`", "`dotnet build`", "src/", "tests/", "--force", "--no-verify", "e.g.", "i.e.", "(see below)", "IMPORTANT:",
        "file_path", "old_string", "new_string", "run_in_background", "timeout_ms", "0.5", "2,000", "120000", "README.md", "package.json",
        "rm -rf", "chmod", "curl", "sudo", "ssh", "credentials", "secrets", ".env", "production", "deploy", "exfiltrate", "destructive",
    ];

    public sealed record Shape(int ReminderBytes, int ClassifierBytes);

    public sealed record Request(string Label, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers);

    private readonly string _sessionId = $"{name}-{Guid.NewGuid():N}"[..24];

    /// <summary>First turn, title, classifier, then <paramref name="followUps"/> turns, each the previous turn plus one round.</summary>
    public IEnumerable<Request> Requests(int followUps)
    {
        var messages = new List<JsonObject>
        {
            new()
            {
                ["role"] = "user",
                ["content"] = new JsonArray
                {
                    Text("<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# claudeMd\n" + Prose("claude-md", shape.ReminderBytes) + "\n</system-reminder>"),
                    Text(FirstPrompt),
                },
            },
            new() { ["role"] = "system", ["content"] = Prose("environment", 10 * 1024) },
        };
        yield return new("turn 1", Turn(messages), Headers("main"));
        yield return new("title", Title(), Headers("auxiliary"));
        yield return new("classifier", Classifier(), Headers("auxiliary"));
        for (int turn = 2; turn < 2 + followUps; turn++)
        {
            if (turn == 2)
            {
                // The Bash call the classifier judged, and its result.
                messages.Add(new()
                {
                    ["role"] = "assistant",
                    ["content"] = new JsonArray
                    {
                        Text("I'll run the tests first."),
                        new JsonObject { ["type"] = "tool_use", ["id"] = $"toolu_{name}_1", ["name"] = "Bash", ["input"] = new JsonObject { ["command"] = "dotnet test tests/Parser.Tests", ["description"] = "Run the parser tests" } },
                    },
                });
                messages.Add(new()
                {
                    ["role"] = "user",
                    ["content"] = new JsonArray { new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = $"toolu_{name}_1", ["content"] = "Passed!  - Failed: 0, Passed: 42, Skipped: 0, Total: 42, Duration: 1 s" } },
                });
            }
            else
            {
                messages.Add(new() { ["role"] = "assistant", ["content"] = new JsonArray { Text($"The tests pass. Step {turn}: the parser reads tokens one at a time.") } });
                messages.Add(new() { ["role"] = "user", ["content"] = new JsonArray { Text($"Now look at file number {turn} in {name} and tell me what it does.") } });
            }

            yield return new($"turn {turn}", Turn(messages), Headers("main"));
        }
    }

    private string FirstPrompt => $"Refactor the parser so it streams tokens ({name}), then run the tests.";

    private string BillingHeader => $"x-anthropic-billing-header: cc_version={Version}.{(uint)name.GetHashCode() & 0xfff:x3}; cc_entrypoint=cli;";

    /// <summary>
    /// A main-conversation turn: <c>cache_control</c> on the last block of the last message; an earlier message that was
    /// one text block is resent as a plain string (2.1.332 and later do that).
    /// </summary>
    private byte[] Turn(List<JsonObject> messages)
    {
        var sent = new JsonArray();
        for (int i = 0; i < messages.Count; i++)
        {
            var message = (JsonObject)messages[i].DeepClone();
            bool last = i == messages.Count - 1;
            if (last)
            {
                if (message["content"] is JsonValue plain)
                {
                    message["content"] = new JsonArray { Text(plain.GetValue<string>()) };
                }

                ((JsonArray)message["content"]!)[^1]!["cache_control"] = new JsonObject { ["type"] = "ephemeral" };
            }
            else if (message["content"] is JsonArray { Count: 1 } one && one[0]!["type"]!.GetValue<string>() == "text")
            {
                message["content"] = one[0]!["text"]!.GetValue<string>();
            }

            sent.Add(message);
        }

        var tools = new JsonArray();
        foreach (string tool in ToolNames)
        {
            tools.Add(new JsonObject
            {
                ["name"] = tool,
                ["description"] = Prose($"tool-{tool}", 2_300),
                ["input_schema"] = JsonNode.Parse("""
                    {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
                     "properties":{"file_path":{"type":"string","description":"The absolute path to the file"},"command":{"type":"string","description":"The command to run"},
                       "url":{"type":"string","format":"uri"},"limit":{"type":"number","description":"How many lines to read"}},
                     "required":["file_path"]}
                    """),
            });
        }

        return Body(new JsonObject
        {
            ["model"] = "claude-opus-5-5",
            ["messages"] = sent,
            ["system"] = new JsonArray
            {
                Text(BillingHeader),
                Text("You are Claude Code, Anthropic's official CLI for Claude.", cache: true),
                Text(Prose("main-prompt", 6_600), cache: true),
            },
            ["tools"] = tools,
            ["metadata"] = Metadata(),
            ["max_tokens"] = 128000,
            ["thinking"] = new JsonObject { ["type"] = "adaptive", ["display"] = "omitted" },
            ["context_management"] = new JsonObject { ["edits"] = new JsonArray { new JsonObject { ["type"] = "clear_thinking_20251015", ["keep"] = "all" } } },
            ["output_config"] = new JsonObject { ["effort"] = "medium" },
            ["stream"] = true,
        });
    }

    /// <summary>2.1.337's title request: the main model, no tools, a JSON schema with one <c>title</c> property.</summary>
    private byte[] Title() => Body(new JsonObject
    {
        ["model"] = "claude-opus-5-5",
        ["messages"] = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = $"<session>\n{FirstPrompt}\n</session>" } },
        ["system"] = new JsonArray
        {
            Text(BillingHeader),
            Text("You are Claude Code, Anthropic's official CLI for Claude."),
            Text("You are naming a coding session. Reply with a short title in sentence case, 3-7 words, as JSON {\"title\": ...}."),
        },
        ["tools"] = new JsonArray(),
        ["metadata"] = Metadata(),
        ["max_tokens"] = 128000,
        ["output_config"] = new JsonObject
        {
            ["format"] = new JsonObject
            {
                ["type"] = "json_schema",
                ["schema"] = JsonNode.Parse("""{"type":"object","properties":{"title":{"type":"string"}},"required":["title"],"additionalProperties":false}"""),
            },
        },
        ["stream"] = true,
    });

    /// <summary>The auto-mode safety classifier, stage 1: its own long system prompt, the transcript to judge, <c>max_tokens</c> 64, <c>&lt;/block&gt;</c> as a stop.</summary>
    private byte[] Classifier()
    {
        string transcript = $"<transcript>\nUser: {FirstPrompt}\nAssistant: I'll run the tests first.\n</transcript>\n<action>\nBash: {{\"command\":\"dotnet test tests/Parser.Tests\",\"description\":\"Run the parser tests\"}}\n</action>\n"
            + Prose($"transcript-{name}", 600) + "\nDecide: <block>yes</block> or <block>no</block>.";
        return Body(new JsonObject
        {
            ["model"] = "claude-sonnet-5",
            ["messages"] = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = new JsonArray { Text(transcript) } } },
            ["system"] = new JsonArray
            {
                Text(BillingHeader),
                Text(ClassifierMark + "\n" + Prose("classifier", shape.ClassifierBytes - ClassifierMark.Length - 1), cache: true),
            },
            ["metadata"] = Metadata(),
            ["max_tokens"] = 64,
            ["stop_sequences"] = new JsonArray { "</block>" },
            ["thinking"] = new JsonObject { ["type"] = "disabled" },
            ["stream"] = true,
        });
    }

    private List<KeyValuePair<string, string>> Headers(string requestClass) =>
    [
        new("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,prompt-caching-scope-2026-01-05"),
        new("x-app", "cli"),
        new("User-Agent", $"claude-cli/{Version} (external, cli)"),
        new("X-Claude-Code-Session-Id", _sessionId),
        new("x-claude-code-request-class", requestClass),
        new("x-claude-code-prompt-id", $"{_sessionId}-p1"),
    ];

    private JsonObject Metadata() => new() { ["user_id"] = $"{{\"device_id\":\"bench-device\",\"account_uuid\":\"\",\"session_id\":\"{_sessionId}\"}}" };

    private static byte[] Body(JsonObject body) => Encoding.UTF8.GetBytes(body.ToJsonString());

    private static JsonObject Text(string text, bool cache = false)
    {
        var block = new JsonObject { ["type"] = "text", ["text"] = text };
        if (cache)
        {
            block["cache_control"] = new JsonObject { ["type"] = "ephemeral" };
        }

        return block;
    }

    /// <summary>
    /// Instruction-like text of <paramref name="bytes"/> bytes, the same for the same <paramref name="seed"/> (so the
    /// version's prompts are identical from session to session): English words mixed with commands, paths and
    /// flags, about 4 bytes a token with Qwen2.5's tokenizer, like Claude Code's own prompts.
    /// </summary>
    private static string Prose(string seed, int bytes)
    {
        var random = new Random(StableHash(seed));
        var text = new StringBuilder(bytes + 32);
        while (text.Length < bytes)
        {
            int sentence = 6 + random.Next(14);
            for (int i = 0; i < sentence && text.Length < bytes; i++)
            {
                text.Append(Words[random.Next(Words.Length)]);
                text.Append(i == sentence - 1 ? (random.Next(5) == 0 ? ".\n- " : ". ") : random.Next(9) == 0 ? ", " : " ");
            }
        }

        return text.ToString(0, bytes);
    }

    private static int StableHash(string text)
    {
        unchecked
        {
            int hash = 17;
            foreach (char c in text)
            {
                hash = (hash * 31) + c;
            }

            return hash;
        }
    }
}
