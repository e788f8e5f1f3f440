using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using AnyClaude.TestSupport;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.Http;

/// <summary>
/// Seedable fuzzing of <c>/v1/messages</c> and <c>/v1/messages/count_tokens</c>: bodies mutated from valid
/// Claude Code-shaped requests (wrong types, missing and extra fields, deep nesting, huge strings, invalid
/// UTF-8, truncation, duplicate keys, wrong content types). Every answer must be a well-formed Anthropic error
/// or a valid response, never a 500 from an unhandled exception (none may be logged), and the proxy keeps serving.
/// <c>FUZZ_COUNT</c> sets the number of bodies (default 1,500; run 10,000 or more by hand), <c>FUZZ_SEED</c> the seed.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int DefaultCount = 1500;
    private const int Concurrency = 4;

    [Fact]
    public async Task Mutated_claude_code_requests_always_get_a_well_formed_answer_and_no_unhandled_exception()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_COUNT"), CultureInfo.InvariantCulture, out int n) && n > 0 ? n : DefaultCount;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), CultureInfo.InvariantCulture, out int s) ? s : Environment.TickCount & 0x7fffffff;
        output.WriteLine($"fuzz: {count} bodies, seed {seed} (FUZZ_SEED={seed} FUZZ_COUNT={count} reproduces)");

        var logs = new CapturedLogs();
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Generic, logging: logs.Configure);
        using var http = new HttpClient { BaseAddress = proxy.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        int next = -1;

        var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && failures.Count < 5)
            {
                // One generator per body: body i is the same for a seed whatever the scheduling (HashCode.Combine would not be: it is salted per process).
                var fuzz = new RequestFuzzer(unchecked((seed * 1_000_003) + i));
                var sample = fuzz.Next();
                try
                {
                    int status = await SendAndCheckAsync(http, sample);
                    statuses.AddOrUpdate(status, 1, (_, c) => c + 1);
                }
                catch (Exception exception)
                {
                    string body = Encoding.UTF8.GetString(sample.Body);
                    failures.Enqueue($"body {i} (seed {seed}; {sample.Description}; {sample.Path}; {sample.ContentType ?? "no content type"}): {exception.Message}\n  body starts: {body[..Math.Min(body.Length, 400)]}");
                }
            }
        });
        await Task.WhenAll(workers);

        output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}")));
        failures.ShouldBeEmpty($"seed {seed}: {string.Join("\n", failures)}");
        logs.UnexpectedFailures.ShouldBeEmpty($"seed {seed}: unexpected exceptions were logged");
        await proxy.AssertStillServingAsync();
    }

    private static async Task<int> SendAndCheckAsync(HttpClient http, FuzzSample sample)
    {
        using var content = new ByteArrayContent(sample.Body);
        if (sample.ContentType is { } contentType)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await http.PostAsync(sample.Path, content);
        int status = (int)response.StatusCode;
        string text = await response.Content.ReadAsStringAsync();
        string mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (status == 200 && mediaType == "text/event-stream")
        {
            var events = SseReader.Parse(text);
            events.ShouldNotBeEmpty();
            foreach (var (_, data) in events)
            {
                using var _ = JsonDocument.Parse(data);
            }

            events[^1].Event.ShouldBeOneOf("message_stop", "error");
            if (events[^1].Event == "error")
            {
                CheckError(events[^1].Data, status);
            }

            return status;
        }

        mediaType.ShouldBe("application/json", $"HTTP {status}: {text}");
        if (status == 200)
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            (root.TryGetProperty("input_tokens", out _) || root.GetProperty("type").GetString() == "message").ShouldBeTrue(text);
            return status;
        }

        status.ShouldBeGreaterThanOrEqualTo(400, text);
        CheckError(text, status);
        return status;
    }

    private static void CheckError(string text, int status)
    {
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        root.GetProperty("type").GetString().ShouldBe("error", text);
        var error = root.GetProperty("error");
        error.GetProperty("type").ValueKind.ShouldBe(JsonValueKind.String, text);
        string message = error.GetProperty("message").GetString()!;
        message.ShouldNotBeNullOrWhiteSpace(text);
        message.ShouldNotStartWith("internal error in anyclaude", Case.Sensitive, text);
        if (status >= 500)
        {
            // A 5xx may only come from the backend's own answer to what the proxy rendered, never from the proxy.
            message.ShouldContain("backend '", Case.Sensitive, text);
        }
    }
}

internal sealed record FuzzSample(string Path, byte[] Body, string? ContentType, string Description);

/// <summary>Claude Code-shaped requests and the mutations applied to them.</summary>
internal sealed class RequestFuzzer(int seed)
{
    private static readonly string[] Keys = ["model", "messages", "system", "tools", "max_tokens", "stream", "thinking", "tool_choice", "metadata", "stop_sequences", "temperature", "role", "content", "type", "text", "input", "tool_use_id", "name", "input_schema", "source", "cache_control"];

    private readonly Random _random = new(seed);

    public FuzzSample Next()
    {
        var root = Seed();
        var applied = new List<string>();
        int mutations = 1 + _random.Next(3);
        for (int m = 0; m < mutations; m++)
        {
            applied.Add(MutateTree(root));
        }

        byte[] body = Encoding.UTF8.GetBytes(root.ToJsonString());
        if (_random.Next(3) == 0)
        {
            (body, string what) = MutateBytes(body);
            applied.Add(what);
        }

        string? contentType = _random.Next(10) switch
        {
            0 => "text/plain",
            1 => null,
            2 => "application/x-www-form-urlencoded",
            3 => "application/json; charset=latin1",
            _ => "application/json",
        };
        string path = _random.Next(4) == 0 ? "/v1/messages/count_tokens" : _random.Next(2) == 0 ? "/v1/messages?beta=true" : "/v1/messages";
        return new FuzzSample(path, body, contentType, string.Join(" + ", applied));
    }

    private JsonObject Seed()
    {
        var conversation = new ClaudeCodeConversation("Write hello.txt", midConversationSystem: _random.Next(2) == 0);
        var root = JsonNode.Parse(conversation.Body(stream: _random.Next(3) != 0))!.AsObject();
        var messages = root["messages"]!.AsArray();
        messages.Add(JsonNode.Parse("""
            {"role":"assistant","content":[{"type":"thinking","thinking":"plan","signature":"sig"},{"type":"text","text":"Writing."},{"type":"tool_use","id":"toolu_1","name":"Write","input":{"file_path":"hello.txt","content":"hi"}}]}
            """));
        messages.Add(JsonNode.Parse("""
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"ok"}],"is_error":false},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"text","text":"next"}]}
            """));
        root["tools"] = JsonNode.Parse("""
            [{"name":"Write","description":"Writes a file","input_schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"file_path":{"type":"string"},"content":{"type":"string"}},"required":["file_path","content"]}},
             {"name":"WebFetch","description":"Fetches","input_schema":{"type":"object","properties":{"url":{"type":"string","format":"uri"}}}}]
            """);
        root["tool_choice"] = JsonNode.Parse("""{"type":"auto"}""");
        root["max_tokens"] = 32000;
        root["stop_sequences"] = new JsonArray("STOP");
        return root;
    }

    private string MutateTree(JsonObject root)
    {
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[_random.Next(nodes.Count)];
        string at = target.GetPath();
        switch (_random.Next(9))
        {
            case 0:
                var wrong = WrongValue();
                return Replace(root, target, wrong) ? $"wrong type at {at}" : "no-op";
            case 1:
                if (target.Parent is JsonObject parent && target.GetPropertyName() is { } name)
                {
                    parent.Remove(name);
                    return $"removed {at}";
                }

                return "no-op";
            case 2:
                var obj = nodes.OfType<JsonObject>().ElementAt(_random.Next(nodes.OfType<JsonObject>().Count()));
                string key = _random.Next(2) == 0 ? Keys[_random.Next(Keys.Length)] + "_x" : "extra_" + _random.Next(1000);
                obj[key] = WrongValue();
                return $"extra field {key}";
            case 3:
                int depth = _random.Next(2) == 0 ? _random.Next(1, 40) : _random.Next(40, 300);
                JsonNode nested = WrongValue() ?? JsonValue.Create(1);
                for (int d = 0; d < depth; d++)
                {
                    nested = _random.Next(2) == 0 ? new JsonArray(nested) : new JsonObject { ["n"] = nested };
                }

                return Replace(root, target, nested) ? $"nested {depth} at {at}" : "no-op";
            case 4:
                var text = nodes.Where(node => node is JsonValue value && value.TryGetValue<string>(out _)).ToList();
                if (text.Count == 0)
                {
                    return "no-op";
                }

                var victim = text[_random.Next(text.Count)];
                string victimAt = victim.GetPath();
                int size = _random.Next(10) == 0 ? _random.Next(200_000, 2_000_000) : _random.Next(1_000, 50_000);
                Replace(root, victim, JsonValue.Create(new string((char)('a' + _random.Next(26)), size) + "\u00e9\u4e2d\ud83d\ude00"));
                return $"huge string ({size}) at {victimAt}";
            case 5:
                var arrays = nodes.OfType<JsonArray>().Where(a => a.Count > 0).ToList();
                if (arrays.Count == 0)
                {
                    return "no-op";
                }

                var array = arrays[_random.Next(arrays.Count)];
                int copies = _random.Next(1, 300);
                var element = array[_random.Next(array.Count)];
                // Bodies stay under the 32 MiB limit (a larger one is refused with 413 before it is read: BadInputTests).
                copies = Math.Min(copies, (4 * 1024 * 1024) / Math.Max(1, element?.ToJsonString().Length ?? 4));
                for (int c = 0; c < copies; c++)
                {
                    array.Add(element?.DeepClone());
                }

                return $"{copies} copies in {array.GetPath()}";
            case 6:
                var strings = nodes.Where(node => node.Parent is JsonObject && node.GetPropertyName() is "role" or "type" or "model" or "media_type" or "id" or "tool_use_id" or "name").ToList();
                if (strings.Count == 0)
                {
                    return "no-op";
                }

                var field = strings[_random.Next(strings.Count)];
                string fieldAt = field.GetPath();
                Replace(root, field, JsonValue.Create(_random.Next(3) switch { 0 => "", 1 => "robot", _ => "\u0000\u202e\ud800x" }));
                return $"odd string at {fieldAt}";
            case 7:
                root["stream"] = _random.Next(3) switch { 0 => JsonValue.Create("true"), 1 => JsonValue.Create(1), _ => JsonValue.Create(_random.Next(2) == 0) };
                return "stream value";
            default:
                root["max_tokens"] = _random.Next(5) switch { 0 => JsonValue.Create(-1), 1 => JsonValue.Create(0), 2 => JsonValue.Create(long.MaxValue), 3 => JsonValue.Create(1.5), _ => JsonValue.Create("100") };
                return "max_tokens value";
        }
    }

    private (byte[] Body, string What) MutateBytes(byte[] body)
    {
        switch (_random.Next(6))
        {
            case 0:
                int cut = _random.Next(body.Length);
                return (body[..cut], $"truncated at {cut}");
            case 1:
                byte[][] invalid = [[0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xF0, 0x28, 0x8C, 0xBC], [0xC0, 0xAF], [0xED, 0xA0, 0x80]];
                var bad = invalid[_random.Next(invalid.Length)];
                // Inside a string value when possible, so only the encoding is wrong.
                int quote = IndexOfQuote(body);
                var result = new List<byte>(body);
                result.InsertRange(quote, bad);
                return ([.. result], $"invalid UTF-8 {Convert.ToHexString(bad)} at {quote}");
            case 2:
                string duplicate = _random.Next(3) switch
                {
                    0 => "\"model\":42,",
                    1 => "\"messages\":\"twice\",",
                    _ => "\"stream\":true,\"stream\":false,",
                };
                var text = Encoding.UTF8.GetString(body);
                int at = _random.Next(2) == 0 ? 1 : text.Length - 1;
                string mutated = at == 1 ? "{" + duplicate + text[1..] : text[..^1] + "," + duplicate.TrimEnd(',') + "}";
                return (Encoding.UTF8.GetBytes(mutated), "duplicate key " + duplicate);
            case 3:
                var flipped = (byte[])body.Clone();
                for (int f = 0; f < 1 + _random.Next(8); f++)
                {
                    flipped[_random.Next(flipped.Length)] = (byte)_random.Next(256);
                }

                return (flipped, "random bytes");
            case 4:
                return (_random.Next(3) switch { 0 => [], 1 => "null"u8.ToArray(), _ => "[1,2,3]"u8.ToArray() }, "not an object");
            default:
                return ([.. Encoding.UTF8.GetPreamble(), .. body], "byte order mark");
        }
    }

    private int IndexOfQuote(byte[] body)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            int i = _random.Next(body.Length);
            if (body[i] == (byte)'"')
            {
                return i + 1;
            }
        }

        return _random.Next(body.Length);
    }

    private JsonNode? WrongValue() => _random.Next(9) switch
    {
        0 => null,
        1 => JsonValue.Create(_random.Next(-5, 5)),
        2 => JsonValue.Create("str"),
        3 => JsonValue.Create(true),
        4 => new JsonArray(),
        5 => new JsonObject(),
        6 => JsonValue.Create(1e300),
        7 => new JsonArray(JsonValue.Create(1), JsonValue.Create("a"), null),
        _ => new JsonObject { ["type"] = "unknown_block", ["x"] = 1 },
    };

    private static bool Replace(JsonObject root, JsonNode target, JsonNode? replacement)
    {
        if (ReferenceEquals(target, root))
        {
            return false;
        }

        switch (target.Parent)
        {
            case JsonObject parent:
                parent[target.GetPropertyName()] = replacement;
                return true;
            case JsonArray array:
                array[target.GetElementIndex()] = replacement;
                return true;
            default:
                return false;
        }
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array.ToList())
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
        }
    }
}
