namespace AnyClaude.OpenAICompat.Tests.ToolCalls;

/// <summary>An answer as a model prints it, and the blocks the client must get.</summary>
public sealed record PrintedCallCase(string Name, string Answer, string? Thinking, string[] Blocks)
{
    public override string ToString() => Name;
}

internal static class PrintedCallCases
{
    public static readonly PrintedCallCase[] All =
    [
        new("qwen3-coder after text, a value with < and </",
            "Let me write it.\n<tool_call>\n<function=Write>\n<parameter=file_path>\n/tmp/a.html\n</parameter>\n<parameter=content>\n<div>a < b</div>\n</p>\n  two lines\n</parameter>\n</function>\n</tool_call>",
            null,
            ["text: Let me write it.\n", """tool_use: Write {"file_path":"/tmp/a.html","content":"<div>a < b</div>\n</p>\n  two lines"}"""]),
        new("qwen3-coder values by schema, several calls, unicode, after thinking",
            "<tool_call>\n<function=Read>\n<parameter=file_path>\n/tmp/ünï código.txt\n</parameter>\n<parameter=limit>\n10\n</parameter>\n<parameter=offset>\n2.5\n</parameter>\n</function>\n</tool_call>\n<tool_call>\n<function=Edit>\n<parameter=file_path>\n/a\n</parameter>\n<parameter=old_string>\nx</parameter>y\n</parameter>\n<parameter=replace_all>\ntrue\n</parameter>\n</function>\n</tool_call>",
            "I should read it first 🤔",
            ["thinking: I should read it first 🤔", """tool_use: Read {"file_path":"/tmp/ünï código.txt","limit":10,"offset":2.5}""", """tool_use: Edit {"file_path":"/a","old_string":"x</parameter>y","replace_all":true}"""]),
        new("qwen3-coder object and array parameters",
            "<tool_call>\n<function=TodoWrite>\n<parameter=todos>\n[{\"content\": \"a {b}\", \"status\": \"pending\",}]\n</parameter>\n<parameter=meta>\n{\"k\": [1, 2]}\n</parameter>\n</function>\n</tool_call>",
            null,
            ["""tool_use: TodoWrite {"todos":[{"content":"a {b}","status":"pending"}],"meta":{"k":[1,2]}}"""]),
        new("hermes after thinking, unicode",
            "<tool_call>\n{\"name\": \"Read\", \"arguments\": {\"file_path\": \"/tmp/ü.txt\"}}\n</tool_call>",
            "thinking…",
            ["thinking: thinking…", """tool_use: Read {"file_path":"/tmp/ü.txt"}"""]),
        new("hermes, two calls with nested JSON after text",
            "Two things.\n\n<tool_call>\n{\"name\": \"TodoWrite\", \"arguments\": {\"todos\": [{\"content\": \"a {b} </tool\", \"status\": \"pending\"}]}}\n</tool_call>\n<tool_call>\n{\"name\": \"Read\", \"arguments\": \"{\\\"file_path\\\": \\\"/x\\\"}\"}\n</tool_call>\n",
            null,
            ["text: Two things.\n\n", """tool_use: TodoWrite {"todos":[{"content":"a {b} </tool","status":"pending"}]}""", """tool_use: Read {"file_path":"/x"}"""]),
        new("hermes with broken JSON: single quotes, raw newline, trailing comma",
            "<tool_call>\n{'name': 'Write', 'arguments': {'file_path': '/a', 'content': 'line1\nline2 \"q\"',}}\n</tool_call>",
            null,
            ["""tool_use: Write {"file_path":"/a","content":"line1\nline2 \"q\""}"""]),
        new("hermes cut off before its closers",
            "<tool_call>\n{\"name\": \"Read\", \"arguments\": {\"file_path\": \"/a",
            null,
            ["""tool_use: Read {"file_path":"/a"}"""]),
        new("llama3 python_tag",
            "<|python_tag|>{\"name\": \"Read\", \"parameters\": {\"file_path\": \"/x\", \"limit\": 3}}",
            null,
            ["""tool_use: Read {"file_path":"/x","limit":3}"""]),
        new("llama3 bare JSON with parameters",
            "\n{\"name\": \"Read\", \"parameters\": {\"file_path\": \"/x\"}}",
            null,
            ["""tool_use: Read {"file_path":"/x"}"""]),
        new("mistral array of two",
            "[TOOL_CALLS] [{\"name\": \"Read\", \"arguments\": {\"file_path\": \"/a\"}, \"id\": \"abc123def\"}, {\"name\": \"Write\", \"arguments\": {\"file_path\": \"/b\", \"content\": \"]}\"}}]",
            null,
            ["""tool_use: Read {"file_path":"/a"}""", """tool_use: Write {"file_path":"/b","content":"]}"}"""]),
        new("mistral NAME[ARGS] after text, twice",
            "Sure.[TOOL_CALLS]Read[ARGS]{\"file_path\": \"/a\"}[TOOL_CALLS]Edit[CALL_ID]a1B2c3D4e[ARGS]{\"file_path\": \"/b\", \"old_string\": \"{\", \"new_string\": \"}\"}",
            null,
            ["text: Sure.", """tool_use: Read {"file_path":"/a"}""", """tool_use: Edit {"file_path":"/b","old_string":"{","new_string":"}"}"""]),
        new("lmstudio tool request after thinking",
            "[TOOL_REQUEST]{\"name\": \"Read\", \"arguments\": {\"file_path\": \"/a\"}}[END_TOOL_REQUEST]",
            "hmm",
            ["thinking: hmm", """tool_use: Read {"file_path":"/a"}"""]),
        new("glm arg_key and arg_value",
            "<tool_call>Read\n<arg_key>file_path</arg_key>\n<arg_value>/a b</arg_value>\n<arg_key>limit</arg_key>\n<arg_value>5</arg_value>\n</tool_call>",
            null,
            ["""tool_use: Read {"file_path":"/a b","limit":5}"""]),
        new("deepseek v3 with a json fence, after text",
            "Reading.<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>Read\n```json\n{\"file_path\": \"/a\", \"limit\": 2}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
            null,
            ["text: Reading.", """tool_use: Read {"file_path":"/a","limit":2}"""]),
        new("deepseek v3.1, two calls",
            "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>Read<｜tool▁sep｜>{\"file_path\": \"/a\"}<｜tool▁call▁end｜><｜tool▁call▁begin｜>Write<｜tool▁sep｜>{\"file_path\": \"/b\", \"content\": \"<｜x｜>\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
            "plan",
            ["thinking: plan", """tool_use: Read {"file_path":"/a"}""", """tool_use: Write {"file_path":"/b","content":"<｜x｜>"}"""]),
        new("kimi k2, two calls",
            "<|tool_calls_section_begin|><|tool_call_begin|>functions.Read:0<|tool_call_argument_begin|>{\"file_path\": \"/a\"}<|tool_call_end|><|tool_call_begin|>functions.Edit:1<|tool_call_argument_begin|>{\"file_path\": \"/a\", \"old_string\": \"x\", \"new_string\": \"y\"}<|tool_call_end|><|tool_calls_section_end|>",
            null,
            ["""tool_use: Read {"file_path":"/a"}""", """tool_use: Edit {"file_path":"/a","old_string":"x","new_string":"y"}"""]),
    ];

    /// <summary>Text that looks like the start of a call but is none; it must reach the client unchanged.</summary>
    public static readonly string[] PlainTexts =
    [
        "Use a <tool_call> tag, or <tool> or [TOOL_CALLS without a call; x < y and a[i] = {b}.",
        "<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\": \"ls\"}}\n</tool_call>",
        "<tool_call>\n{\"name\": \"Read\", \"arguments\": [1, 2]}\n</tool_call> and more",
        "[TOOL_REQUEST]not json[END_TOOL_REQUEST]",
        "{\"name\": \"Alice\", \"age\": 3}",
        "[TOOL_CALLS] maybe later <|python_tag|>print(1)",
        "<function=>oops",
        "ends with a partial marker <tool_ca",
        "ends with [TOOL_CALLS]Re",
        "<｜tool▁calls▁begin｜>broken<｜tool▁calls▁end｜> and <|tool_calls_section_begin|>",
    ];
}
