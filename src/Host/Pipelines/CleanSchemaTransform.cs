using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.Json;
using AnyClaude.Abstractions.Transforms;

namespace AnyClaude.Host.Pipelines;

/// <summary>
/// Removes JSON-schema keywords a backend rejects from every tool's <c>input_schema</c>: always <c>$schema</c>
/// (Claude Code sends it on every tool; grammar-constrained servers refuse it), plus the backend's
/// <c>cleanSchemaKeywords</c> (e.g. <c>format</c>). Only keywords are removed, never a property that happens to
/// have the same name (<c>properties.format</c> stays). A schema without any of them is left untouched, byte for
/// byte; a cleaned one is rewritten in the same order, so the upstream bytes stay stable turn after turn.
/// </summary>
internal sealed class CleanSchemaTransform : IRequestTransform
{
    public const string TransformName = "clean-schema";
    public const string AlwaysRemoved = "$schema";

    /// <summary>Keywords whose value is a map from names to schemas: the names are not keywords.</summary>
    private static readonly string[] SchemaMaps = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];

    /// <summary>Keywords whose value is data, not a schema: copied as they are.</summary>
    private static readonly string[] Literals = ["enum", "const", "default", "examples", "required"];

    private const int MaxCachedSchemas = 1024;

    private readonly string[] _keywords;
    private readonly ConcurrentDictionary<byte[], JsonElement?> _cache = new(ByteArrayComparer.Instance);

    public CleanSchemaTransform(IEnumerable<string>? extraKeywords = null) =>
        _keywords = [AlwaysRemoved, .. (extraKeywords ?? []).Where(k => k != AlwaysRemoved).Distinct(StringComparer.Ordinal)];

    public string Name => TransformName;

    public IReadOnlyList<string> Keywords => _keywords;

    public ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken)
    {
        foreach (var tool in context.Request.Tools ?? [])
        {
            if (tool.InputSchema.ValueKind == JsonValueKind.Object)
            {
                tool.InputSchema = CleanCached(tool.InputSchema);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Claude Code sends the same tool schemas, byte for byte, on every turn of a session: the outcome for each is
    /// remembered by its raw bytes (the cleaned schema, or the schema itself when nothing had to go), so a turn
    /// costs one dictionary look-up per tool instead of a walk and a rewrite. A cleaned element is immutable and
    /// safe to share between requests. The cache is bounded: when full it starts over.
    /// </summary>
    internal JsonElement CleanCached(JsonElement schema)
    {
        var raw = JsonMarshal.GetRawUtf8Value(schema);
        var lookup = _cache.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(raw, out var cached))
        {
            return cached ?? schema;
        }

        JsonElement? cleaned = ContainsKeyword(schema) ? Clean(schema) : null;
        if (_cache.Count >= MaxCachedSchemas)
        {
            _cache.Clear();
        }

        _cache.TryAdd(raw.ToArray(), cleaned);
        return cleaned ?? schema;
    }

    internal int CachedSchemas => _cache.Count;

    public JsonElement Clean(JsonElement schema)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteSchema(writer, schema);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private bool ContainsKeyword(JsonElement schema)
    {
        switch (schema.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in schema.EnumerateObject())
                {
                    if (IsKeyword(property))
                    {
                        return true;
                    }

                    if (IsLiteral(property))
                    {
                        continue;
                    }

                    if (IsSchemaMap(property) && property.Value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var entry in property.Value.EnumerateObject())
                        {
                            if (ContainsKeyword(entry.Value))
                            {
                                return true;
                            }
                        }
                    }
                    else if (ContainsKeyword(property.Value))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                foreach (var item in schema.EnumerateArray())
                {
                    if (ContainsKeyword(item))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private void WriteSchema(Utf8JsonWriter writer, JsonElement schema)
    {
        switch (schema.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in schema.EnumerateObject())
                {
                    if (IsKeyword(property))
                    {
                        continue;
                    }

                    writer.WritePropertyName(property.Name);
                    if (IsLiteral(property))
                    {
                        property.Value.WriteTo(writer);
                    }
                    else if (IsSchemaMap(property) && property.Value.ValueKind == JsonValueKind.Object)
                    {
                        writer.WriteStartObject();
                        foreach (var entry in property.Value.EnumerateObject())
                        {
                            writer.WritePropertyName(entry.Name);
                            WriteSchema(writer, entry.Value);
                        }

                        writer.WriteEndObject();
                    }
                    else
                    {
                        WriteSchema(writer, property.Value);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in schema.EnumerateArray())
                {
                    WriteSchema(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                schema.WriteTo(writer);
                break;
        }
    }

    private bool IsKeyword(JsonProperty property)
    {
        foreach (string keyword in _keywords)
        {
            if (property.NameEquals(keyword))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsLiteral(JsonProperty property)
    {
        foreach (string name in Literals)
        {
            if (property.NameEquals(name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSchemaMap(JsonProperty property)
    {
        foreach (string name in SchemaMaps)
        {
            if (property.NameEquals(name))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Compares byte arrays by content, and looks them up by span without allocating.</summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var hash = new HashCode();
        hash.AddBytes(alternate);
        return hash.ToHashCode();
    }

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
