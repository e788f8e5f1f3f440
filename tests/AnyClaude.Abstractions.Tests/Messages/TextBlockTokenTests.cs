using System.Text.Json;
using System.Text;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;

namespace AnyClaude.Abstractions.Tests.Messages;

/// <summary>A text block read from JSON keeps the token it came from until its text is replaced.</summary>
public sealed class TextBlockTokenTests
{
    private const string Token = "\"caf\\u00e9 \\/ \\\"q\\\" \\n \\ud83d\\ude00\"";

    private static List<TextBlock> System(string json) =>
        JsonSerializer.Deserialize($$"""{"model":"m","system":{{json}},"messages":[]}""", AnthropicJsonContext.Default.MessagesRequest)!.System!;

    [Theory]
    [InlineData("[{\"type\":\"text\",\"text\":" + Token + "}]")]
    [InlineData(Token)]
    public void Decodes_the_text_and_keeps_the_token_byte_for_byte(string system)
    {
        var block = System(system)[0];

        block.TryGetQuotedUtf8(out var quoted).ShouldBeTrue();
        Encoding.UTF8.GetString(quoted).ShouldBe(Token);
        block.Text.ShouldBe("café / \"q\" \n 😀");
        block.TryGetQuotedUtf8(out _).ShouldBeTrue("reading the text does not change it");
        JsonSerializer.Serialize(block, AnthropicJsonContext.Default.TextBlock).ShouldBe("{\"type\":\"text\",\"text\":" + Token + "}");
    }

    [Fact]
    public void Replacing_the_text_drops_the_token()
    {
        var block = System("[{\"type\":\"text\",\"text\":" + Token + "}]")[0];

        block.Text = "new";

        block.TryGetQuotedUtf8(out _).ShouldBeFalse();
        block.Text.ShouldBe("new");
        JsonSerializer.Serialize(block, AnthropicJsonContext.Default.TextBlock).ShouldBe("{\"type\":\"text\",\"text\":\"new\"}");
    }

    [Fact]
    public void A_block_built_in_code_has_no_token_and_a_null_text_stays_null()
    {
        new TextBlock("x").TryGetQuotedUtf8(out _).ShouldBeFalse();
        new TextBlock().Text.ShouldBe("");
        var nullText = System("[{\"type\":\"text\",\"text\":null}]")[0];
        nullText.TextIsNull.ShouldBeTrue();
        nullText.Text.ShouldBeNull();
        System("[{\"type\":\"text\",\"text\":\"\"}]")[0].TextIsNull.ShouldBeFalse();
        new TextBlock().TextIsNull.ShouldBeFalse();
    }

    [Theory]
    [InlineData("\"x-billing: cc=1; rest\"", "x-billing:", true)]
    [InlineData("\"\\u0078-billing: cc=1\"", "x-billing:", true)]
    [InlineData("\"x-bil\\u006cing: cc\"", "x-billing:", true)]
    [InlineData("\"x-bil\\nling:\"", "x-billing:", false)]
    [InlineData("\"x-bill\"", "x-billing:", false)]
    [InlineData("\"y-billing:\"", "x-billing:", false)]
    [InlineData("\"caf\\u00e9 au lait\"", "café", true)]
    [InlineData("\"anything\"", "", true)]
    public void TextStartsWith_reads_the_token_as_the_decoded_text_would(string token, string prefix, bool expected)
    {
        var block = System("[{\"type\":\"text\",\"text\":" + token + "}]")[0];

        block.TextStartsWith(prefix).ShouldBe(expected);
        block.TextStartsWith(prefix).ShouldBe(block.Text.StartsWith(prefix, StringComparison.Ordinal));
    }

    [Fact]
    public void A_text_token_that_is_not_valid_UTF8_is_refused_as_the_decoded_string_would_be()
    {
        byte[] json = [.. "{\"model\":\"m\",\"system\":[{\"type\":\"text\",\"text\":\"ok "u8, 0xC3, 0x28, .. "\"}],\"messages\":[]}"u8];

        Should.Throw<JsonException>(() => JsonSerializer.Deserialize(json, AnthropicJsonContext.Default.MessagesRequest));
    }
}
