using System.Text.Json;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Host.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Http;

/// <summary>Reads and checks a Messages request body; every problem is a 400 (or 413) that names the field.</summary>
internal static class MessagesRequestReader
{
    public static async Task<(MessagesRequest Request, byte[] Body)> ReadAsync(HttpContext context, long maxBodyBytes, bool requireMaxTokens, RequestLimits? limits = null)
    {
        limits ??= new RequestLimits();
        byte[] body = await ReadBodyAsync(context, maxBodyBytes).ConfigureAwait(false);
        var request = Parse(body, limits.MaxJsonDepth);
        Validate(request, requireMaxTokens);
        CheckLimits(request, limits);
        return (request, body);
    }

    /// <summary>
    /// JSON must be UTF-8. System.Text.Json does not check the bytes inside strings it only keeps (unknown fields
    /// end up as <c>JsonElement</c>s), so invalid bytes would surface later, mid-request; refuse them here.
    /// </summary>
    private static void CheckEncoding(ReadOnlySpan<byte> body)
    {
        if (System.Text.Unicode.Utf8.IsValid(body))
        {
            return;
        }

        int at = 0;
        while (at < body.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(body[at..], out _, out int consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                break;
            }

            at += consumed;
        }

        throw AnthropicException.InvalidRequest($"the request body is not valid UTF-8 (byte {at}); JSON must be encoded as UTF-8");
    }

    /// <summary>
    /// A clear 400 for JSON nested deeper than the limit. Runs only once parsing failed: the parse itself enforces
    /// the limit, and a second pass over every request would cost as much as a third of the parse.
    /// </summary>
    private static void CheckDepth(ReadOnlySpan<byte> body, int maxDepth)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = maxDepth + 1, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth + 1 > maxDepth)
                {
                    throw AnthropicException.InvalidRequest(
                        $"the request body nests JSON deeper than {maxDepth} levels (maxJsonDepth); at byte {reader.TokenStartIndex}");
                }
            }
        }
        catch (JsonException)
        {
            // Not valid JSON: Parse says where and why.
        }
    }

    private static void CheckLimits(MessagesRequest request, RequestLimits limits)
    {
        if (request.Messages.Count > limits.MaxMessages)
        {
            throw AnthropicException.InvalidRequest($"messages: {request.Messages.Count} messages exceed the proxy's limit of {limits.MaxMessages} (maxMessages)");
        }

        for (int i = 0; i < request.Messages.Count; i++)
        {
            int blocks = request.Messages[i].Content.Count;
            if (blocks > limits.MaxBlocksPerMessage)
            {
                throw AnthropicException.InvalidRequest($"messages.{i}.content: {blocks} content blocks exceed the proxy's limit of {limits.MaxBlocksPerMessage} per message (maxBlocksPerMessage)");
            }
        }

        if (request.System is { Count: var systemBlocks } && systemBlocks > limits.MaxBlocksPerMessage)
        {
            throw AnthropicException.InvalidRequest($"system: {systemBlocks} blocks exceed the proxy's limit of {limits.MaxBlocksPerMessage} (maxBlocksPerMessage)");
        }

        if (request.Tools is { Count: var tools } && tools > limits.MaxTools)
        {
            throw AnthropicException.InvalidRequest($"tools: {tools} tools exceed the proxy's limit of {limits.MaxTools} (maxTools)");
        }
    }

    /// <summary>Checks the encoding and parses the body into the typed request, nesting no deeper than <paramref name="maxDepth"/>.</summary>
    public static MessagesRequest Parse(ReadOnlySpan<byte> body, int maxDepth)
    {
        if (body.IsEmpty)
        {
            throw AnthropicException.InvalidRequest("the request body is empty; expected a JSON object with 'model' and 'messages'");
        }

        CheckEncoding(body);
        try
        {
            return JsonSerializer.Deserialize(body, DepthLimitedTypeInfo.For(maxDepth))
                ?? throw AnthropicException.InvalidRequest("the request body must be a JSON object, not null");
        }
        catch (JsonException exception)
        {
            CheckDepth(body, maxDepth);
            throw AnthropicException.InvalidRequest(Describe(exception));
        }
        catch (InvalidOperationException exception)
        {
            throw AnthropicException.InvalidRequest($"the request body could not be read: {exception.Message}");
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context, long maxBodyBytes)
    {
        if (context.Request.ContentLength is { } declared && declared > maxBodyBytes)
        {
            await DiscardBodyAsync(context, declared, maxBodyBytes).ConfigureAwait(false);
            throw TooLarge(maxBodyBytes);
        }

        try
        {
            if (context.Request.ContentLength is { } length)
            {
                // One array of the declared size (a Claude Code turn is about 100 KB): no growing buffer and no copy.
                byte[] body = GC.AllocateUninitializedArray<byte>((int)length);
                int read = await context.Request.Body.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, context.RequestAborted).ConfigureAwait(false);
                return read == body.Length ? body : body[..read];
            }

            // A body of unknown length (chunked) is capped here rather than by Kestrel's limit: Kestrel's 413 stops the
            // read mid-body, and the unread rest makes the connection close with a reset the client sees instead of
            // the 413. Past the cap the rest is read and dropped (within the same bound as a declared body's).
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = DrainLimit(maxBodyBytes);
            }

            using var buffer = new MemoryStream(16 * 1024);
            byte[] chunk = new byte[16 * 1024];
            int count;
            while ((count = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + count > maxBodyBytes)
                {
                    await DrainAsync(context).ConfigureAwait(false);
                    throw TooLarge(maxBodyBytes);
                }

                buffer.Write(chunk, 0, count);
            }

            return buffer.ToArray();
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBodyBytes);
        }
    }

    /// <summary>
    /// Reads and drops a declared-too-large body (within a bound) before the 413 goes out. Unread bytes left in the
    /// socket make the connection close with a reset, and the client then sees "connection reset" instead of the 413.
    /// </summary>
    private static async Task DiscardBodyAsync(HttpContext context, long declared, long maxBodyBytes)
    {
        if (declared > DrainLimit(maxBodyBytes)
            || context.Features.Get<IHttpMaxRequestBodySizeFeature>() is not { IsReadOnly: false } limit)
        {
            return;
        }

        limit.MaxRequestBodySize = declared;
        await DrainAsync(context).ConfigureAwait(false);
    }

    /// <summary>How large a too-large body may be and still be read and dropped so the client gets the 413; small limits (tests, tight configurations) would otherwise refuse bodies only a little larger.</summary>
    private static long DrainLimit(long maxBodyBytes) => Math.Max(maxBodyBytes * 4, 16L * 1024 * 1024);

    /// <summary>Reads the rest of the body into nothing, for 10 s at most; a body past the drain limit ends it with Kestrel's own 413, and the 413 goes out anyway.</summary>
    private static async Task DrainAsync(HttpContext context)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await context.Request.Body.CopyToAsync(Stream.Null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or BadHttpRequestException or OperationCanceledException)
        {
            // The 413 goes out anyway.
        }
    }

    private static AnthropicException TooLarge(long maxBodyBytes) =>
        new(AnthropicErrorTypes.RequestTooLarge, $"the request body is larger than the proxy's limit of {maxBodyBytes} bytes (maxRequestBodyBytes)", 413, shouldRetry: false);

    private static void Validate(MessagesRequest request, bool requireMaxTokens)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw AnthropicException.InvalidRequest("model: field required (a non-empty string)");
        }

        if (request.Messages is null || request.Messages.Count == 0)
        {
            throw AnthropicException.InvalidRequest("messages: field required (an array with at least one message)");
        }

        for (int i = 0; i < request.Messages.Count; i++)
        {
            var message = request.Messages[i];
            if (message is null)
            {
                throw AnthropicException.InvalidRequest($"messages.{i}: expected a message object, got null");
            }

            if (message.Role is not (MessageRoles.User or MessageRoles.Assistant or MessageRoles.System))
            {
                throw AnthropicException.InvalidRequest($"messages.{i}.role: expected 'user', 'assistant' or 'system', got '{message.Role}'");
            }

            if (message.Content is null)
            {
                throw AnthropicException.InvalidRequest($"messages.{i}.content: field required");
            }
        }

        CheckNulls(request);

        if (requireMaxTokens && request.MaxTokens is null)
        {
            throw AnthropicException.InvalidRequest("max_tokens: field required");
        }

        if (request.MaxTokens is < 1)
        {
            throw AnthropicException.InvalidRequest($"max_tokens: must be at least 1, got {request.MaxTokens}");
        }

        if (request.Tools is { } tools)
        {
            for (int i = 0; i < tools.Count; i++)
            {
                if (tools[i] is null || string.IsNullOrEmpty(tools[i].Name))
                {
                    throw AnthropicException.InvalidRequest($"tools.{i}.name: field required");
                }
            }
        }

        if (request.ToolChoice is { Type: ToolChoiceTypes.Tool, Name: null or "" })
        {
            throw AnthropicException.InvalidRequest("tool_choice.name: field required when tool_choice.type is 'tool'");
        }
    }

    /// <summary>
    /// JSON <c>null</c> where the model has a required string or object: System.Text.Json sets it as given, so
    /// without this check a <c>"text": null</c> would fail later, deep in rendering, as an internal error.
    /// </summary>
    private static void CheckNulls(MessagesRequest request)
    {
        static void Require(object? value, string path)
        {
            if (value is null)
            {
                throw AnthropicException.InvalidRequest($"{path}: must not be null");
            }
        }

        if (request.System is { } system)
        {
            for (int i = 0; i < system.Count; i++)
            {
                Require(system[i], $"system.{i}");
                if (system[i].TextIsNull)
                {
                    Require(null, $"system.{i}.text");
                }
            }
        }

        for (int i = 0; i < request.Messages.Count; i++)
        {
            CheckBlocks(request.Messages[i].Content, $"messages.{i}.content", Require);
        }

        if (request.StopSequences is { } stops)
        {
            for (int i = 0; i < stops.Count; i++)
            {
                Require(stops[i], $"stop_sequences.{i}");
            }
        }

        if (request.ToolChoice is { } choice)
        {
            Require(choice.Type, "tool_choice.type");
        }

        if (request.Thinking is { } thinking)
        {
            Require(thinking.Type, "thinking.type");
        }
    }

    private static void CheckBlocks(List<ContentBlock>? blocks, string path, Action<object?, string> require)
    {
        if (blocks is null)
        {
            return;
        }

        for (int j = 0; j < blocks.Count; j++)
        {
            string at = $"{path}.{j}";
            var block = blocks[j];
            require(block, at);
            switch (block)
            {
                case TextBlock { TextIsNull: true }:
                    require(null, $"{at}.text");
                    break;
                case ImageBlock image:
                    require(image.Source, $"{at}.source");
                    require(image.Source.Type, $"{at}.source.type");
                    break;
                case DocumentBlock document:
                    require(document.Source, $"{at}.source");
                    require(document.Source.Type, $"{at}.source.type");
                    break;
                case ToolUseBlock toolUse:
                    require(toolUse.Id, $"{at}.id");
                    require(toolUse.Name, $"{at}.name");
                    // An absent input is a JsonElement with no value: nothing downstream can render it.
                    require(toolUse.Input.ValueKind is JsonValueKind.Undefined ? null : toolUse, $"{at}.input");
                    break;
                case ToolResultBlock result:
                    require(result.ToolUseId, $"{at}.tool_use_id");
                    CheckBlocks(result.Content, $"{at}.content", require);
                    break;
                case ThinkingBlock thinking:
                    require(thinking.Thinking, $"{at}.thinking");
                    require(thinking.Signature, $"{at}.signature");
                    break;
                case RedactedThinkingBlock redacted:
                    require(redacted.Data, $"{at}.data");
                    break;
            }
        }
    }

    /// <summary>"messages.0.content: …" from System.Text.Json's "$.messages[0].content" path.</summary>
    private static string Describe(JsonException exception)
    {
        string reason = exception.Message;
        int pathAt = reason.IndexOf(" Path: ", StringComparison.Ordinal);
        if (pathAt >= 0)
        {
            reason = reason[..pathAt];
        }

        if (reason.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal))
        {
            reason = "wrong type: expected " + FriendlyType(reason["The JSON value could not be converted to ".Length..].TrimEnd('.'));
        }

        if (exception.InnerException is JsonException syntax)
        {
            return $"the request body is not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine}): {syntax.Message.Split(" LineNumber:")[0]}";
        }

        string? field = FieldName(exception.Path);
        return field is null or "" ? $"the request body is not valid JSON: {reason}" : $"{field}: {reason}";
    }

    private static string? FieldName(string? path)
    {
        if (path is null || !path.StartsWith('$'))
        {
            return null;
        }

        return path[1..].TrimStart('.').Replace("[", ".", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal).Replace("'", "", StringComparison.Ordinal);
    }

    private static string FriendlyType(string clrType) => clrType switch
    {
        "System.String" => "a string",
        "System.Int32" or "System.Nullable`1[System.Int32]" => "an integer",
        "System.Double" or "System.Nullable`1[System.Double]" => "a number",
        "System.Boolean" or "System.Nullable`1[System.Boolean]" => "true or false",
        _ when clrType.Contains("List", StringComparison.Ordinal) => "an array",
        _ => "an object",
    };
}
