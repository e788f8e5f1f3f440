using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace AnyClaude.Abstractions.Serialization;

/// <summary>
/// Reads a value inside a custom converter with the type's own converter. <c>JsonSerializer.Deserialize(ref reader, …)</c>
/// would first scan the whole value to scope the reader to it: one more pass over every block per level of nesting
/// (the system prompt and tool results were read three times).
/// </summary>
internal static class NestedValue
{
    public static T? Read<T>(ref Utf8JsonReader reader, JsonTypeInfo<T> typeInfo) =>
        ((JsonConverter<T>)typeInfo.Converter).Read(ref reader, typeof(T), typeInfo.Options);
}
