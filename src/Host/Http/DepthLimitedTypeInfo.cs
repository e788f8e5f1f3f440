using System.Collections.Concurrent;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;

namespace AnyClaude.Host.Http;

/// <summary>The source-generated request contract with the reader's nesting limit set to the configured <c>maxJsonDepth</c>.</summary>
internal static class DepthLimitedTypeInfo
{
    private static readonly ConcurrentDictionary<int, JsonTypeInfo<MessagesRequest>> ByDepth = new();

    public static JsonTypeInfo<MessagesRequest> For(int maxDepth) => ByDepth.GetOrAdd(maxDepth, static depth =>
    {
        var options = new JsonSerializerOptions(AnthropicJsonContext.Default.Options) { MaxDepth = depth };
        options.MakeReadOnly();
        return (JsonTypeInfo<MessagesRequest>)options.GetTypeInfo(typeof(MessagesRequest));
    });
}
