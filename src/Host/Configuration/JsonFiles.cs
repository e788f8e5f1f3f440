using System.Text.Json;

namespace AnyClaude.Host.Configuration;

/// <summary>A configuration file's JSON syntax, checked before the configuration reads it (its own error names neither line nor column).</summary>
internal static class JsonFiles
{
    // As the configuration's JSON reader takes it.
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary><c>file:line:column: invalid JSON: …</c>, or null when the file is absent, empty or well-formed.</summary>
    public static string? SyntaxError(string path)
    {
        try
        {
            if (!File.Exists(path) || new FileInfo(path).Length == 0)
            {
                return null;
            }

            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream, Options);
            return null;
        }
        catch (JsonException exception)
        {
            // The message ends with its own "LineNumber: 2 | BytePositionInLine: 12." (both from 0): said once, from 1.
            string message = exception.Message;
            int position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            string reason = position > 0 ? message[..position].TrimEnd() : message;
            return $"{path}:{exception.LineNumber + 1}:{exception.BytePositionInLine + 1}: invalid JSON: {reason}";
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"{path}: cannot be read: {exception.Message}";
        }
    }
}
