using System.Buffers;
using AnyClaude.Abstractions.Responses;

namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>Finds tool calls a model printed as text in one answer and turns each into a <c>tool_use</c> block.</summary>
internal sealed class TextToolCallScanner : HeldTextScanner
{
    private static readonly SearchValues<char> Starts = SearchValues.Create("<[{");

    private static readonly Marker[] AllMarkers =
    [
        new("<tool_call>", MarkerKind.ToolCallTag),
        new("<function=", MarkerKind.FunctionTag),
        new("<|python_tag|>", MarkerKind.PythonTag),
        new("[TOOL_CALLS]", MarkerKind.MistralCalls),
        new("[TOOL_REQUEST]", MarkerKind.ToolRequest),
        new(DeepSeekSyntax.CallsBegin, MarkerKind.DeepSeekCalls),
        new(KimiSyntax.SectionBegin, MarkerKind.KimiCalls),
    ];

    private static readonly Marker BareJson = new("{", MarkerKind.BareJson);

    private readonly ToolCallFormat _format;
    private readonly Marker[] _markers;
    private readonly OfferedTools _tools;
    private readonly ResponseContext _context;
    private Marker _current = BareJson;

    public TextToolCallScanner(ToolCallFormat format, OfferedTools tools, ResponseContext context)
    {
        _format = format;
        _tools = tools;
        _context = context;
        _markers = [.. AllMarkers.Where(m => Allows(m.Kind))];
    }

    private enum MarkerKind { ToolCallTag, FunctionTag, PythonTag, MistralCalls, ToolRequest, BareJson, DeepSeekCalls, KimiCalls }

    protected override SearchValues<char> MarkerStarts => Starts;

    protected override MarkerMatch Match(ReadOnlySpan<char> candidate, bool atBlockStart)
    {
        bool partial = false;
        foreach (var marker in _markers)
        {
            if (candidate.StartsWith(marker.Text))
            {
                _current = marker;
                return MarkerMatch.Yes;
            }

            partial |= marker.Text.AsSpan().StartsWith(candidate);
        }

        if (atBlockStart && candidate[0] == '{' && Allows(MarkerKind.BareJson))
        {
            var bare = MatchBareJson(candidate);
            if (bare == MarkerMatch.Yes)
            {
                _current = BareJson;
                return MarkerMatch.Yes;
            }

            partial |= bare == MarkerMatch.Partial;
        }

        return partial ? MarkerMatch.Partial : MarkerMatch.No;
    }

    protected override int Capture(ReadOnlySpan<char> captured, int previousLength, bool final, ResponseBlockWriter output)
    {
        try
        {
            return CaptureCall(captured, previousLength, final, output);
        }
        catch (Exception exception) when (exception is ArgumentException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            // Whatever the model printed, the answer goes on: what could not be read is text.
            _context.Warn($"a printed tool call could not be read ({exception.GetType().Name}: {exception.Message}); it was left as text");
            return Release(captured, output);
        }
    }

    private int CaptureCall(ReadOnlySpan<char> captured, int previousLength, bool final, ResponseBlockWriter output)
    {
        return _current.Kind switch
        {
            MarkerKind.ToolCallTag => Closed(captured, previousLength, final, output, "</tool_call>", body => ReadTagBody(body)),
            MarkerKind.FunctionTag => Closed(captured, previousLength, final, output, "</function>", body => ReadQwenCoder("<function=" + body)),
            MarkerKind.ToolRequest => Closed(captured, previousLength, final, output, "[END_TOOL_REQUEST]", ReadCallJson),
            MarkerKind.PythonTag => JsonAfterMarker(captured, previousLength, final, output),
            MarkerKind.BareJson => Json(captured, 0, previousLength, final, output),
            MarkerKind.DeepSeekCalls => Closed(captured, previousLength, final, output, DeepSeekSyntax.CallsEnd, body => FromPairs(DeepSeekSyntax.Read(body))),
            MarkerKind.KimiCalls => Closed(captured, previousLength, final, output, KimiSyntax.SectionEnd, body => FromPairs(KimiSyntax.Read(body))),
            _ => Mistral(captured, previousLength, final, output),
        };
    }

    private bool Allows(MarkerKind kind) => _format switch
    {
        ToolCallFormat.Auto => true,
        ToolCallFormat.Qwen3Coder => kind is MarkerKind.ToolCallTag or MarkerKind.FunctionTag,
        ToolCallFormat.Hermes or ToolCallFormat.Glm => kind is MarkerKind.ToolCallTag,
        ToolCallFormat.Llama3 => kind is MarkerKind.PythonTag or MarkerKind.BareJson,
        ToolCallFormat.Mistral => kind is MarkerKind.MistralCalls,
        ToolCallFormat.LmStudio => kind is MarkerKind.ToolRequest,
        ToolCallFormat.DeepSeek => kind is MarkerKind.DeepSeekCalls,
        ToolCallFormat.Kimi => kind is MarkerKind.KimiCalls,
        _ => false,
    };

    /// <summary><c>{</c>, whitespace, <c>"name"</c>, whitespace, <c>:</c>: the start of a bare JSON call.</summary>
    private static MarkerMatch MatchBareJson(ReadOnlySpan<char> candidate)
    {
        const string Key = "\"name\"";
        int i = 1;
        while (i < candidate.Length && char.IsWhiteSpace(candidate[i]))
        {
            i++;
        }

        for (int k = 0; k < Key.Length; k++, i++)
        {
            if (i >= candidate.Length)
            {
                return MarkerMatch.Partial;
            }

            if (candidate[i] != Key[k])
            {
                return MarkerMatch.No;
            }
        }

        while (i < candidate.Length && char.IsWhiteSpace(candidate[i]))
        {
            i++;
        }

        return i >= candidate.Length ? MarkerMatch.Partial : candidate[i] == ':' ? MarkerMatch.Yes : MarkerMatch.No;
    }

    /// <summary>A marker whose call runs to a closing tag (or, when the answer ends first, to the end).</summary>
    private int Closed(ReadOnlySpan<char> captured, int previousLength, bool final, ResponseBlockWriter output, string closing, Func<string, Outcome> read)
    {
        int markerLength = _current.Text.Length;
        int searchFrom = Math.Max(markerLength, previousLength - closing.Length + 1);
        int end = captured[searchFrom..].IndexOf(closing, StringComparison.Ordinal);
        if (end < 0 && !final)
        {
            return 0;
        }

        int bodyEnd = end < 0 ? captured.Length : searchFrom + end;
        int consumed = end < 0 ? captured.Length : bodyEnd + closing.Length;
        return Emit(read(captured[markerLength..bodyEnd].ToString()), captured[..consumed], output);
    }

    private int JsonAfterMarker(ReadOnlySpan<char> captured, int previousLength, bool final, ResponseBlockWriter output)
    {
        int start = _current.Text.Length;
        while (start < captured.Length && char.IsWhiteSpace(captured[start]))
        {
            start++;
        }

        if (start >= captured.Length)
        {
            return final ? Release(captured, output) : 0;
        }

        return captured[start] is '{' or '['
            ? Json(captured, start, previousLength, final, output)
            : ReleaseMarker(output);
    }

    /// <summary>A call (or list of calls) as JSON starting at <paramref name="start"/>, done when its brackets balance.</summary>
    private int Json(ReadOnlySpan<char> captured, int start, int previousLength, bool final, ResponseBlockWriter output)
    {
        if (!final && captured[Math.Max(previousLength, start)..].IndexOfAny('}', ']') < 0)
        {
            return 0;
        }

        int end = PrintedCallSyntax.JsonEnd(captured, start);
        if (end < 0 && !final)
        {
            return 0;
        }

        int consumed = end < 0 ? captured.Length : end;
        return Emit(ReadCallJson(captured[start..consumed].ToString()), captured[..consumed], output);
    }

    /// <summary><c>[TOOL_CALLS]</c> followed by a JSON array, or by <c>NAME</c> (<c>[CALL_ID]id</c>) <c>[ARGS]{…}</c>.</summary>
    private int Mistral(ReadOnlySpan<char> captured, int previousLength, bool final, ResponseBlockWriter output)
    {
        const string Args = "[ARGS]";
        const string CallId = "[CALL_ID]";
        int at = _current.Text.Length;
        while (at < captured.Length && char.IsWhiteSpace(captured[at]))
        {
            at++;
        }

        if (at >= captured.Length)
        {
            return final ? Release(captured, output) : 0;
        }

        if (captured[at] == '[')
        {
            return Json(captured, at, previousLength, final, output);
        }

        int nameStart = at;
        while (at < captured.Length && (char.IsLetterOrDigit(captured[at]) || captured[at] is '_' or '-' or '.'))
        {
            at++;
        }

        string name = captured[nameStart..at].ToString();
        string? id = null;
        var rest = captured[at..];
        if (name.Length > 0 && rest.StartsWith(CallId))
        {
            int idStart = at + CallId.Length;
            int idEnd = captured[idStart..].IndexOf(Args, StringComparison.Ordinal);
            if (idEnd < 0)
            {
                return final ? Release(captured, output) : 0;
            }

            id = captured[idStart..(idStart + idEnd)].ToString();
            at = idStart + idEnd;
        }
        else if (name.Length == 0 || !rest.StartsWith(Args))
        {
            bool mayStillCome = !final && name.Length > 0 && (CallId.AsSpan().StartsWith(rest) || Args.AsSpan().StartsWith(rest));
            return mayStillCome ? 0 : ReleaseMarker(output);
        }

        int json = at + Args.Length;
        while (json < captured.Length && char.IsWhiteSpace(captured[json]))
        {
            json++;
        }

        if (json >= captured.Length)
        {
            return final ? Release(captured, output) : 0;
        }

        if (captured[json] != '{')
        {
            return ReleaseMarker(output);
        }

        int end = PrintedCallSyntax.JsonEnd(captured, json);
        if (end < 0 && !final)
        {
            return 0;
        }

        int consumed = end < 0 ? captured.Length : end;
        var arguments = JsonRepair.TryRepair(captured[json..consumed].ToString());
        Outcome outcome;
        if (arguments is null)
        {
            outcome = new Outcome(null, $"the model printed a call to '{name}' whose arguments are not JSON; it was left as text");
        }
        else
        {
            using var document = System.Text.Json.JsonDocument.Parse(arguments);
            var call = ToolCallArguments.FromJson(name, document.RootElement, _tools, out string? problem);
            outcome = new Outcome(call is { } c ? [c] : null, problem);
        }

        _ = id; // Mistral's own call ids are nine letters; Claude Code gets Anthropic-shaped ones.
        return Emit(outcome, captured[..consumed], output);
    }

    private Outcome ReadTagBody(string body)
    {
        string trimmed = body.TrimStart();
        if (trimmed.StartsWith("<function=", StringComparison.Ordinal) && _format is ToolCallFormat.Auto or ToolCallFormat.Qwen3Coder)
        {
            return ReadQwenCoder(trimmed);
        }

        if (trimmed.StartsWith('{') && _format is ToolCallFormat.Auto or ToolCallFormat.Hermes)
        {
            return ReadCallJson(trimmed);
        }

        if (_format is ToolCallFormat.Auto or ToolCallFormat.Glm && PrintedCallSyntax.TryReadGlm(body, out string name, out var pairs))
        {
            return FromParameters(name, pairs);
        }

        return new Outcome(null, $"the model printed a <tool_call> this proxy cannot read as {ToolCallFormats.NameOf(_format)}; it was left as text");
    }

    private Outcome ReadQwenCoder(string body) =>
        PrintedCallSyntax.TryReadQwenCoder(body, out string name, out var parameters)
            ? FromParameters(name, parameters)
            : new Outcome(null, "the model printed a <function=…> call that cannot be read; it was left as text");

    private Outcome FromParameters(string name, List<KeyValuePair<string, string>> parameters)
    {
        var call = ToolCallArguments.FromParameters(name, parameters, _tools, out string? problem);
        return new Outcome(call is { } c ? [c] : null, problem);
    }

    /// <summary>Calls given as name and JSON arguments text (DeepSeek, Kimi); null when the body could not be read.</summary>
    private Outcome FromPairs(List<(string Name, string Arguments)>? calls)
    {
        if (calls is null or [])
        {
            return new Outcome(null, "the model printed a tool-call section that cannot be read; it was left as text");
        }

        var resolved = new List<ResolvedToolCall>();
        foreach (var (name, arguments) in calls)
        {
            if (JsonRepair.TryRepair(arguments) is not { } json)
            {
                return new Outcome(null, $"the model printed a call to '{name}' whose arguments are not JSON; it was left as text");
            }

            using var document = System.Text.Json.JsonDocument.Parse(json);
            if (ToolCallArguments.FromJson(name, document.RootElement, _tools, out string? problem) is not { } call)
            {
                return new Outcome(null, problem);
            }

            resolved.Add(call);
        }

        return new Outcome(resolved, null);
    }

    private Outcome ReadCallJson(string json) => new(ToolCallArguments.FromCallJson(json, _tools, out string? problem), problem);

    private int Emit(Outcome outcome, ReadOnlySpan<char> text, ResponseBlockWriter output)
    {
        if (outcome.Calls is { } calls)
        {
            foreach (var call in calls)
            {
                output.ToolUse(call.Name, call.InputJson);
            }
        }
        else
        {
            output.Text(text);
            if (outcome.Problem is { } problem)
            {
                _context.Warn(problem);
            }
        }

        return text.Length;
    }

    private int ReleaseMarker(ResponseBlockWriter output)
    {
        output.Text(_current.Text);
        return _current.Text.Length;
    }

    private static int Release(ReadOnlySpan<char> captured, ResponseBlockWriter output)
    {
        output.Text(captured);
        return captured.Length;
    }

    private sealed record Marker(string Text, MarkerKind Kind);

    private readonly record struct Outcome(List<ResolvedToolCall>? Calls, string? Problem);
}
