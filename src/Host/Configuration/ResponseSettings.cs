using AnyClaude.OpenAICompat.ToolCalls;
using Microsoft.Extensions.Configuration;

namespace AnyClaude.Host.Configuration;

/// <summary>A backend's response-pipeline settings: <c>responseTransforms</c> and <c>toolCallFormat</c>.</summary>
internal sealed record ResponseSettings
{
    public static readonly IReadOnlyList<string> Keys = ["responseTransforms", "toolCallFormat", "toolEmulation"];

    /// <summary>The response steps in order, by name; null uses the default order (built-ins, then plugin steps).</summary>
    public IReadOnlyList<string>? Transforms { get; init; }

    /// <summary>How the model prints tool calls as text; <c>auto</c> recognises every known format by its marker.</summary>
    public ToolCallFormat ToolCallFormat { get; init; } = ToolCallFormat.Auto;

    /// <summary>When set, tools are offered in the system prompt in this format instead of upstream (<c>emulate-tools</c>).</summary>
    public ToolCallFormat? ToolEmulation { get; init; }

    /// <summary>Reads one <c>backends.NAME</c> section; a bad value adds one line to <paramref name="errors"/>.</summary>
    public static ResponseSettings Read(IConfigurationSection backend, string prefix, ICollection<string> errors)
    {
        var format = ToolCallFormat.Auto;
        if (backend["toolCallFormat"] is { Length: > 0 } text && !ToolCallFormats.TryParse(text, out format))
        {
            errors.Add($"{prefix}.toolCallFormat: '{text}' is not a known format ({string.Join(", ", ToolCallFormats.Names)})");
        }

        ToolCallFormat? emulation = null;
        if (backend["toolEmulation"] is { Length: > 0 } emulated)
        {
            if (ToolCallFormats.TryParse(emulated, out var parsed) && parsed is not (ToolCallFormat.Auto or ToolCallFormat.None))
            {
                emulation = parsed;
            }
            else
            {
                errors.Add($"{prefix}.toolEmulation: '{emulated}' is not a format tools can be emulated in ({string.Join(", ", ToolCallFormats.Names.Where(n => n is not ("auto" or "none")))})");
            }
        }

        var list = backend.GetSection("responseTransforms");
        IReadOnlyList<string>? transforms = list.Value is { } joined
            ? joined.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : list.GetChildren().Any()
                ? [.. list.GetChildren().OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue).Select(c => c.Value?.Trim()).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!)]
                : null;
        return new ResponseSettings { Transforms = transforms, ToolCallFormat = format, ToolEmulation = emulation };
    }
}
