using System.Buffers.Text;
using System.Text.Json;

namespace AnyClaude.OpenAICompat.Streaming;

/// <summary>
/// Reads one Chat Completions stream chunk straight off its UTF-8 bytes. A stream has a chunk per token, so this is
/// the proxy's hottest parse: a forward-only <see cref="Utf8JsonReader"/> pass takes about a third of the time of
/// the metadata-driven <c>JsonSerializer</c> and reads the same fields the same way (numbers also as strings,
/// <c>null</c> as absent, unknown fields skipped, anything else a <see cref="JsonException"/>).
/// </summary>
internal static class ChatChunkReader
{
    public static ChatChunk Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a stream chunk must be a JSON object");
        }

        var chunk = new ChatChunk();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                chunk.Choices = ReadArray(ref reader, ReadChoice);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                chunk.Usage = reader.TokenType == JsonTokenType.Null ? null : ReadUsage(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                chunk.Error = ReadElement(ref reader);
            }
            else if (reader.ValueTextEquals("timings"u8))
            {
                reader.Read();
                chunk.Timings = reader.TokenType == JsonTokenType.Null ? null : ReadTimings(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_progress"u8))
            {
                reader.Read();
                chunk.PromptProgress = reader.TokenType == JsonTokenType.Null ? null : ReadPromptProgress(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        if (reader.Read())
        {
            throw new JsonException("a stream chunk must hold one JSON value");
        }

        return chunk;
    }

    private static ChatChoice ReadChoice(ref Utf8JsonReader reader) => ReadObject(ref reader, "choice", new ChatChoice(), static (ref reader, choice) =>
    {
        if (reader.ValueTextEquals("delta"u8))
        {
            reader.Read();
            choice.Delta = reader.TokenType == JsonTokenType.Null ? null : ReadDelta(ref reader);
        }
        else if (reader.ValueTextEquals("finish_reason"u8))
        {
            choice.FinishReason = ReadString(ref reader);
        }
        else if (reader.ValueTextEquals("stop_reason"u8))
        {
            reader.Read();
            choice.StopReason = ReadElement(ref reader);
        }
        else
        {
            return false;
        }

        return true;
    });

    private static ChatDelta ReadDelta(ref Utf8JsonReader reader) => ReadObject(ref reader, "delta", new ChatDelta(), static (ref reader, delta) =>
    {
        if (reader.ValueTextEquals("content"u8))
        {
            delta.Content = ReadString(ref reader);
        }
        else if (reader.ValueTextEquals("reasoning"u8))
        {
            delta.Reasoning = ReadString(ref reader);
        }
        else if (reader.ValueTextEquals("reasoning_content"u8))
        {
            delta.ReasoningContent = ReadString(ref reader);
        }
        else if (reader.ValueTextEquals("tool_calls"u8))
        {
            reader.Read();
            delta.ToolCalls = ReadArray(ref reader, ReadToolCall);
        }
        else
        {
            return false;
        }

        return true;
    });

    private static ChatToolCallDelta ReadToolCall(ref Utf8JsonReader reader) => ReadObject(ref reader, "tool call", new ChatToolCallDelta(), static (ref reader, call) =>
    {
        if (reader.ValueTextEquals("index"u8))
        {
            reader.Read();
            call.Index = ReadNullableInt(ref reader);
        }
        else if (reader.ValueTextEquals("id"u8))
        {
            reader.Read();
            call.Id = ReadElement(ref reader);
        }
        else if (reader.ValueTextEquals("function"u8))
        {
            reader.Read();
            call.Function = reader.TokenType == JsonTokenType.Null ? null : ReadFunction(ref reader);
        }
        else
        {
            return false;
        }

        return true;
    });

    private static ChatFunctionDelta ReadFunction(ref Utf8JsonReader reader) => ReadObject(ref reader, "function", new ChatFunctionDelta(), static (ref reader, function) =>
    {
        if (reader.ValueTextEquals("name"u8))
        {
            function.Name = ReadString(ref reader);
        }
        else if (reader.ValueTextEquals("arguments"u8))
        {
            function.Arguments = ReadString(ref reader);
        }
        else
        {
            return false;
        }

        return true;
    });

    private static ChatUsage ReadUsage(ref Utf8JsonReader reader) => ReadObject(ref reader, "usage", new ChatUsage(), static (ref reader, usage) =>
    {
        if (reader.ValueTextEquals("prompt_tokens"u8))
        {
            reader.Read();
            usage.PromptTokens = ReadInt(ref reader);
        }
        else if (reader.ValueTextEquals("completion_tokens"u8))
        {
            reader.Read();
            usage.CompletionTokens = ReadInt(ref reader);
        }
        else if (reader.ValueTextEquals("prompt_tokens_details"u8))
        {
            reader.Read();
            usage.PromptTokensDetails = reader.TokenType == JsonTokenType.Null ? null : ReadDetails(ref reader);
        }
        else
        {
            return false;
        }

        return true;
    });

    private static ChatPromptTokensDetails ReadDetails(ref Utf8JsonReader reader) => ReadObject(ref reader, "prompt_tokens_details", new ChatPromptTokensDetails(), static (ref reader, details) =>
    {
        if (!reader.ValueTextEquals("cached_tokens"u8))
        {
            return false;
        }

        reader.Read();
        details.CachedTokens = ReadNullableInt(ref reader);
        return true;
    });

    private static ChatTimings ReadTimings(ref Utf8JsonReader reader) => ReadObject(ref reader, "timings", new ChatTimings(), static (ref reader, timings) =>
    {
        if (reader.ValueTextEquals("cache_n"u8))
        {
            reader.Read();
            timings.CacheN = ReadNullableInt(ref reader);
        }
        else if (reader.ValueTextEquals("prompt_n"u8))
        {
            reader.Read();
            timings.PromptN = ReadNullableInt(ref reader);
        }
        else if (reader.ValueTextEquals("predicted_n"u8))
        {
            reader.Read();
            timings.PredictedN = ReadNullableInt(ref reader);
        }
        else if (reader.ValueTextEquals("predicted_per_second"u8))
        {
            reader.Read();
            timings.PredictedPerSecond = reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : null;
        }
        else
        {
            return false;
        }

        return true;
    });

    private static ChatPromptProgress ReadPromptProgress(ref Utf8JsonReader reader) => ReadObject(ref reader, "prompt_progress", new ChatPromptProgress(), static (ref reader, progress) =>
    {
        if (reader.ValueTextEquals("total"u8))
        {
            reader.Read();
            progress.Total = ReadNullableInt(ref reader);
        }
        else if (reader.ValueTextEquals("cache"u8))
        {
            reader.Read();
            progress.Cache = ReadNullableInt(ref reader);
        }
        else if (reader.ValueTextEquals("processed"u8))
        {
            reader.Read();
            progress.Processed = ReadNullableInt(ref reader);
        }
        else if (reader.ValueTextEquals("time_ms"u8))
        {
            reader.Read();
            progress.TimeMs = ReadNullableInt(ref reader);
        }
        else
        {
            return false;
        }

        return true;
    });

    private delegate T ItemReader<out T>(ref Utf8JsonReader reader);

    /// <summary>Reads the property the reader is on into the target; false for a property it does not know.</summary>
    private delegate bool PropertyReader<in T>(ref Utf8JsonReader reader, T target);

    private static T ReadObject<T>(ref Utf8JsonReader reader, string what, T target, PropertyReader<T> readProperty)
    {
        ExpectObject(ref reader, what);
        while (NextProperty(ref reader))
        {
            if (!readProperty(ref reader, target))
            {
                SkipValue(ref reader);
            }
        }

        return target;
    }

    private static List<T>? ReadArray<T>(ref Utf8JsonReader reader, ItemReader<T> readItem)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"expected an array, got {reader.TokenType}");
        }

        var items = new List<T>(1);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(readItem(ref reader));
        }

        return items;
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    private static void ExpectObject(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"expected a {what} object, got {reader.TokenType}");
        }
    }

    /// <summary>Reads the value after the current property name as a string or <c>null</c>.</summary>
    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new JsonException($"expected a string, got {reader.TokenType}"),
        };
    }

    private static int? ReadNullableInt(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Null ? null : ReadInt(ref reader);

    private static int ReadInt(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int number))
        {
            return number;
        }

        // Some servers quote their numbers.
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
            && Utf8Parser.TryParse(reader.ValueSpan, out int parsed, out int consumed) && consumed == reader.ValueSpan.Length)
        {
            return parsed;
        }

        throw new JsonException($"expected an integer, got {reader.TokenType}");
    }

    private static JsonElement? ReadElement(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref reader);

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }
}
