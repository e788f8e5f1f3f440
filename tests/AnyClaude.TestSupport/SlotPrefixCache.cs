using System.Text;
using System.Text.Json;

namespace AnyClaude.TestSupport;

/// <summary>
/// A fake server's prompt cache, as llama-server keeps one per slot: a request reuses the common prefix of the
/// prompt its slot (<c>id_slot</c>, else slot 0) last held and replaces it; the answer reports what was reused
/// (<c>timings.cache_n</c> for the llama.cpp flavor). The prompt is the chat body's tools and messages in order,
/// four characters a token, as a chat template lays them out.
/// </summary>
public sealed class SlotPrefixCache
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, string> _slots = [];

    private readonly List<(int Slot, int PromptTokens, int CachedTokens, string Body)> _seen = [];

    /// <summary>Each request as the fake saw it so far: its slot, prompt and cached tokens, in order.</summary>
    public List<(int Slot, int PromptTokens, int CachedTokens, string Body)> Seen
    {
        get
        {
            lock (_gate)
            {
                return [.. _seen];
            }
        }
    }

    /// <param name="shape">Changes the answer to a request (e.g. a prefill delay) before it goes out.</param>
    public static SlotPrefixCache On(FakeOpenAIServer fake, string answer = "ok", Func<RecordedRequest, ScriptedResponse, ScriptedResponse>? shape = null)
    {
        var cache = new SlotPrefixCache();
        fake.RespondWith(request =>
        {
            var (prompt, cached) = cache.Admit(request);
            var response = ScriptedResponse.Text(answer).WithUsage(prompt, 1, cached);
            return shape?.Invoke(request, response) ?? response;
        });
        return cache;
    }

    private (int PromptTokens, int CachedTokens) Admit(RecordedRequest request)
    {
        using var json = request.Json();
        var root = json.RootElement;
        int slot = root.TryGetProperty("id_slot", out var id) && id.ValueKind == JsonValueKind.Number ? id.GetInt32() : 0;
        var prompt = new StringBuilder();
        if (root.TryGetProperty("tools", out var tools))
        {
            prompt.Append(tools.GetRawText());
        }

        foreach (var message in root.GetProperty("messages").EnumerateArray())
        {
            prompt.Append(message.GetRawText()).Append('\n');
        }

        string text = prompt.ToString();
        lock (_gate)
        {
            int common = _slots.TryGetValue(slot, out var previous) ? text.AsSpan().CommonPrefixLength(previous) : 0;
            _slots[slot] = text;
            var result = (Math.Max(1, text.Length / 4), common / 4);
            _seen.Add((slot, result.Item1, result.Item2, request.BodyText));
            return result;
        }
    }
}
