using System.Text.Json;

namespace AnyClaude.Host.Tests.NativeBackends;

/// <summary>Reads parts of an upstream body as the fake received it.</summary>
internal static class NativeBodies
{
    public static string Raw(byte[] body, string property)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty(property).GetRawText();
    }

    /// <summary>The byte offset just after the top-level <c>messages</c> array's last element.</summary>
    public static int EndOfMessages(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        int end = -1;
        bool inMessages = false;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                inMessages = reader.ValueTextEquals("messages");
            }
            else if (inMessages && reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 2)
            {
                end = (int)reader.BytesConsumed;
            }
        }

        end.ShouldBeGreaterThan(0);
        return end;
    }
}
