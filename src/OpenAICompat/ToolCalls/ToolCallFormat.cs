namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>A model family's way of printing a tool call as text (the <c>toolCallFormat</c> setting).</summary>
public enum ToolCallFormat
{
    /// <summary>Every format below, recognised by its marker.</summary>
    Auto,

    /// <summary><c>&lt;tool_call&gt;&lt;function=NAME&gt;&lt;parameter=ARG&gt;value&lt;/parameter&gt;&lt;/function&gt;&lt;/tool_call&gt;</c>.</summary>
    Qwen3Coder,

    /// <summary>Hermes and Qwen2.5: <c>&lt;tool_call&gt;{"name": …, "arguments": {…}}&lt;/tool_call&gt;</c>.</summary>
    Hermes,

    /// <summary>Llama 3.x: <c>&lt;|python_tag|&gt;{"name": …, "parameters": {…}}</c>, or that JSON alone as the whole answer.</summary>
    Llama3,

    /// <summary>Mistral: <c>[TOOL_CALLS] [{"name", "arguments"}]</c> or <c>[TOOL_CALLS]NAME[ARGS]{…}</c>.</summary>
    Mistral,

    /// <summary>LM Studio's fallback: <c>[TOOL_REQUEST]{"name", "arguments"}[END_TOOL_REQUEST]</c>.</summary>
    LmStudio,

    /// <summary>GLM-4.5: <c>&lt;tool_call&gt;NAME&lt;arg_key&gt;K&lt;/arg_key&gt;&lt;arg_value&gt;V&lt;/arg_value&gt;&lt;/tool_call&gt;</c>.</summary>
    Glm,

    /// <summary>DeepSeek V3 and V3.1: <c>&lt;｜tool▁calls▁begin｜&gt;&lt;｜tool▁call▁begin｜&gt;…&lt;｜tool▁sep｜&gt;…&lt;｜tool▁call▁end｜&gt;&lt;｜tool▁calls▁end｜&gt;</c>.</summary>
    DeepSeek,

    /// <summary>Kimi K2: <c>&lt;|tool_calls_section_begin|&gt;&lt;|tool_call_begin|&gt;functions.NAME:0&lt;|tool_call_argument_begin|&gt;{…}&lt;|tool_call_end|&gt;&lt;|tool_calls_section_end|&gt;</c>.</summary>
    Kimi,

    /// <summary>No parsing: printed calls stay text.</summary>
    None,
}

public static class ToolCallFormats
{
    /// <summary>The setting's values, as written in configuration.</summary>
    public static readonly IReadOnlyList<string> Names = ["auto", "qwen3-coder", "hermes", "llama3", "mistral", "lmstudio", "glm", "deepseek", "kimi", "none"];

    public static bool TryParse(string? text, out ToolCallFormat format)
    {
        int index = text is null ? -1 : Names.ToList().FindIndex(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase));
        format = index < 0 ? ToolCallFormat.Auto : (ToolCallFormat)index;
        return index >= 0;
    }

    public static string NameOf(ToolCallFormat format) => Names[(int)format];
}
