using System.Text;
using System.Text.Json;
using AnyClaude.OpenAICompat.ToolCalls;

namespace AnyClaude.OpenAICompat.Streaming;

/// <summary>
/// Collects the fragments of streamed tool calls. Fragments are keyed by their <c>index</c>; a fragment that
/// brings a different id at a known index is a new call (servers that send each call whole reuse index 0).
/// </summary>
internal sealed class ToolCallAccumulator
{
    private readonly List<PendingCall> _calls = [];

    public int Count => _calls.Count;

    public void Add(ChatToolCallDelta fragment)
    {
        string? id = IdOf(fragment.Id);
        var target = Find(fragment.Index, id);
        if (target is null)
        {
            target = new PendingCall(fragment.Index ?? _calls.Count);
            _calls.Add(target);
        }

        target.Id ??= id;
        if (fragment.Function?.Name is { Length: > 0 } name)
        {
            target.Name ??= name;
        }

        if (fragment.Function?.Arguments is { } arguments)
        {
            target.Arguments.Append(arguments);
        }
    }

    /// <summary>The completed calls in the order they started, each with arguments that parse as a JSON object.</summary>
    public IEnumerable<CompletedToolCall> Complete(ICollection<string> warnings)
    {
        foreach (var call in _calls)
        {
            if (call.Name is null)
            {
                warnings.Add("the backend streamed a tool call without a name; it was dropped");
                continue;
            }

            yield return new CompletedToolCall(
                call.Id ?? $"toolu_{Guid.NewGuid():N}",
                call.Name,
                NormalizeArguments(call.Name, call.Arguments.ToString(), warnings));
        }
    }

    private PendingCall? Find(int? index, string? id)
    {
        if (index is null)
        {
            return id is null && _calls.Count > 0 ? _calls[^1] : null;
        }

        for (int i = _calls.Count - 1; i >= 0; i--)
        {
            var call = _calls[i];
            if (call.UpstreamIndex == index)
            {
                return id is not null && call.Id is not null && call.Id != id ? null : call;
            }
        }

        return null;
    }

    private static string? IdOf(JsonElement? id) => id switch
    {
        { ValueKind: JsonValueKind.String } s when s.GetString() is { Length: > 0 } text => text,
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        _ => null,
    };

    private static string NormalizeArguments(string name, string arguments, ICollection<string> warnings)
    {
        string trimmed = arguments.Trim();
        if (trimmed.Length == 0)
        {
            return "{}";
        }

        try
        {
            using var document = JsonDocument.Parse(trimmed);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return trimmed;
            }

            // Some servers encode the arguments twice: a JSON string holding the object.
            if (document.RootElement.ValueKind == JsonValueKind.String && ToolCallArguments.RepairNative(document.RootElement.GetString()!) is { } inner)
            {
                return inner;
            }
        }
        catch (JsonException)
        {
            if (ToolCallArguments.RepairNative(trimmed) is { } repaired)
            {
                warnings.Add($"the arguments of tool call '{name}' were not valid JSON and were repaired");
                return repaired;
            }
        }

        warnings.Add($"the arguments of tool call '{name}' were not a JSON object and were replaced by {{}}");
        return "{}";
    }

    private sealed class PendingCall(int upstreamIndex)
    {
        public int UpstreamIndex { get; } = upstreamIndex;

        public string? Id { get; set; }

        public string? Name { get; set; }

        public StringBuilder Arguments { get; } = new();
    }
}

internal readonly record struct CompletedToolCall(string Id, string Name, string ArgumentsJson);
