using System.Text.Json.Nodes;
using System.Text.Json;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;

namespace AnyClaude.Host.Proxy.Cache;

/// <summary>
/// The prompt prefixes worth warming, one file per backend (<c>&lt;folder&gt;/&lt;backend&gt;.json</c>, readable by the user
/// alone): for the Claude Code version last seen on that backend, each kind's warm-up request (<see cref="WarmKinds"/>),
/// as the backend received it after the request pipeline, and the upstream model the route chose. A new version
/// replaces the old one's prefixes whole; a prefix over <see cref="MaxPrefixBytes"/> is not kept. A file that cannot be
/// read is treated as absent (and replaced by the next one written).
/// </summary>
internal sealed class WarmPrefixStore(string? folder)
{
    /// <summary>The largest warm-up request kept (Claude Code's classifier prompt is ~142 KB, its head ~45 KB and its first message's reminders ~20 KB).</summary>
    public const int MaxPrefixBytes = 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, WarmFile> _files = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>False when there is nowhere to keep them (tests that set no folder).</summary>
    public bool Enabled => folder is not null;

    public string? PathOf(string backend) => folder is null ? null : Path.Combine(folder, FileName(backend));

    /// <summary>The backend's remembered prefixes; empty when none.</summary>
    public WarmFile Load(string backend)
    {
        lock (_gate)
        {
            if (!_files.TryGetValue(backend, out var file))
            {
                file = Read(PathOf(backend)) ?? WarmFile.Empty;
                _files[backend] = file;
            }

            return file;
        }
    }

    /// <summary>
    /// Keeps the warm-up <paramref name="request"/> (made only when the head is new) as the backend's <paramref name="kind"/> prefix for Claude Code
    /// <paramref name="version"/> and writes the file; false when it was already kept (nothing written) or too large.
    /// </summary>
    public bool Put(string backend, string version, string kind, Func<byte[]> request, byte[] head, string? model)
    {
        if (folder is null)
        {
            return false;
        }

        WarmFile updated;
        lock (_gate)
        {
            var current = Load(backend);
            var prefixes = current.Version == version ? new Dictionary<string, WarmPrefix>(current.Prefixes, StringComparer.Ordinal) : [];
            if (prefixes.TryGetValue(kind, out var kept) && kept.Head.AsSpan().SequenceEqual(head) && kept.Model == model)
            {
                return false;
            }

            byte[] body = request();
            if (body.Length > MaxPrefixBytes)
            {
                return false;
            }

            prefixes[kind] = new WarmPrefix(kind, body, head, model);
            updated = new WarmFile(version, prefixes);
            _files[backend] = updated;
            PrivateFile.Write(PathOf(backend)!, Serialize(updated));
        }

        return true;
    }

    private static string FileName(string backend)
    {
        var name = new char[backend.Length];
        for (int i = 0; i < backend.Length; i++)
        {
            char c = backend[i];
            name[i] = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_';
        }

        return new string(name) + ".json";
    }

    private static string Serialize(WarmFile file)
    {
        var prefixes = new JsonObject();
        foreach (var prefix in file.Prefixes.Values.OrderBy(p => WarmKinds.Order(p.Kind)))
        {
            prefixes[prefix.Kind] = new JsonObject
            {
                ["model"] = prefix.Model,
                ["request"] = JsonNode.Parse(prefix.Request),
            };
        }

        return new JsonObject { ["claudeCodeVersion"] = file.Version, ["prefixes"] = prefixes }.ToJsonString();
    }

    private static WarmFile? Read(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            string? version = root.GetProperty("claudeCodeVersion").GetString();
            var prefixes = new Dictionary<string, WarmPrefix>(StringComparer.Ordinal);
            foreach (var entry in root.GetProperty("prefixes").EnumerateObject())
            {
                if (!WarmKinds.All.Contains(entry.Name))
                {
                    continue;
                }

                byte[] request = System.Text.Encoding.UTF8.GetBytes(entry.Value.GetProperty("request").GetRawText());
                string? model = entry.Value.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                var parsed = MessagesRequestReader.Parse(request, 64);
                prefixes[entry.Name] = new WarmPrefix(entry.Name, request, WarmRequests.HeadOf(parsed, withLead: entry.Name == WarmKinds.Head), model);
            }

            return version is null ? null : new WarmFile(version, prefixes);
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException or KeyNotFoundException or InvalidOperationException or Abstractions.Errors.AnthropicException)
        {
            return null;
        }
    }
}

/// <summary>A backend's remembered prefixes for one Claude Code version.</summary>
internal sealed record WarmFile(string? Version, IReadOnlyDictionary<string, WarmPrefix> Prefixes)
{
    public static WarmFile Empty { get; } = new(null, new Dictionary<string, WarmPrefix>());
}

/// <summary>One prefix: its warm-up request (JSON), the bytes of its head (to tell whether a request shares it) and the model.</summary>
internal sealed record WarmPrefix(string Kind, byte[] Request, byte[] Head, string? Model);

/// <summary>
/// What is warmed: the conversation's head (system prompt, tools and the first message's leading system reminders) and
/// the safety classifier's prompt.
/// </summary>
internal static class WarmKinds
{
    public const string Head = "head";
    public const string Classifier = "classifier";

    public static IReadOnlyList<string> All { get; } = [Head, Classifier];

    public static int Order(string kind) => kind == Head ? 0 : 1;
}
