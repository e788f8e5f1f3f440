using System.Text.Json;
using System.Text.Json.Serialization;
using AnyClaude.Abstractions.Serialization;

namespace AnyClaude.Abstractions.Messages;

/// <summary>One conversation turn. <see cref="Role"/> is <c>user</c>, <c>assistant</c> or (mid-conversation, as Claude Code sends it) <c>system</c>.</summary>
public sealed class Message
{
    [JsonPropertyName("role")]
    public string Role { get; set; } = MessageRoles.User;

    /// <summary>The content; a plain string on the wire becomes one text block.</summary>
    [JsonPropertyName("content")]
    [JsonConverter(typeof(ContentBlockListConverter))]
    public List<ContentBlock> Content { get; set; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

public static class MessageRoles
{
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string System = "system";
}
