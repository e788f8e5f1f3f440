using System.Text.Json;
using System.Text;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.OpenAICompat.Rendering;

namespace AnyClaude.OpenAICompat.Tests.Rendering;

/// <summary>A server's own body fields (<see cref="ChatRenderOptions.ExtraFields"/>): after the messages, before <c>stream</c>.</summary>
public sealed class ExtraFieldsTests
{
    private static readonly MessagesRequest Request = JsonSerializer.Deserialize(
        """{"model":"m","max_tokens":100,"system":"Be brief.","messages":[{"role":"user","content":"hi"}]}""",
        AnthropicJsonContext.Default.MessagesRequest)!;

    [Fact]
    public void Extra_fields_are_written_after_the_messages_and_before_stream()
    {
        var options = new ChatRenderOptions
        {
            Model = "local",
            MaxOutputTokens = 1000,
            ExtraFields = w =>
            {
                w.WriteBoolean("cache_prompt", true);
                w.WriteNumber("id_slot", 3);
            },
        };

        string body = Encoding.UTF8.GetString(ChatRequestRenderer.Render(Request, options, []));

        using var json = JsonDocument.Parse(body);
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        names.IndexOf("cache_prompt").ShouldBeGreaterThan(names.IndexOf("messages"));
        names.IndexOf("id_slot").ShouldBe(names.IndexOf("cache_prompt") + 1);
        names.IndexOf("stream").ShouldBe(names.IndexOf("id_slot") + 1);
        json.RootElement.GetProperty("id_slot").GetInt32().ShouldBe(3);
    }

    [Fact]
    public void Without_extra_fields_the_body_is_unchanged()
    {
        var plain = new ChatRenderOptions { Model = "local", MaxOutputTokens = 1000 };

        byte[] before = ChatRequestRenderer.Render(Request, plain, []);
        byte[] with = ChatRequestRenderer.Render(Request, plain with { ExtraFields = _ => { } }, []);

        with.ShouldBe(before);
    }
}
