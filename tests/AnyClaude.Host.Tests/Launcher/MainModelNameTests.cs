



using AnyClaude.Host.Cli.Launcher;
using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Tests.Launcher;

public sealed class MainModelNameTests
{
    private static readonly AnyClaudeOptions Options = new()
    {
        Mode = "big",
        Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
        {
            ["big"] = new() { Name = "big", Kind = "llama-cpp", Url = new Uri("http://127.0.0.1:8090/v1") },
            ["qwen"] = new() { Name = "qwen", Kind = "lmstudio", Url = new Uri("http://127.0.0.1:1234/v1") },
        },
    };

    [Theory]
    [InlineData("qwen3-coder-30b", "qwen3-coder-30b")]
    [InlineData("mlx-community/Qwen3-Coder-30B-A3B-Instruct-4bit", "mlx-community/Qwen3-Coder-30B-A3B-Instruct-4bit")]
    [InlineData("/models/Qwen3-Coder-30B-A3B-Q4_K_M.gguf", "Qwen3-Coder-30B-A3B-Q4_K_M")]
    [InlineData(@"C:\models\gemma-3-27b.GGUF", "gemma-3-27b")]
    public void A_model_name_is_shown_as_it_is_and_a_llama_cpp_path_by_its_file_name(string model, string shown) =>
        MainModelName.For(Options, model).ShouldBe(shown);

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    [InlineData("qwen")]
    [InlineData("QWEN/qwen3-4b")]
    [InlineData("claude-via-big")]
    public void No_model_or_one_that_reads_as_a_backend_name_leaves_the_neutral_name(string? model) =>
        MainModelName.For(Options, model).ShouldBeNull();
}
