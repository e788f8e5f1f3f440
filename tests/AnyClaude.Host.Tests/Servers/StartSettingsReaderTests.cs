using System.Text;
using AnyClaude.Host.Servers;
using Microsoft.Extensions.Configuration;

namespace AnyClaude.Host.Tests.Servers;

/// <summary>A backend's <c>start</c>: the three forms, the command each builds in full, and one line per mistake naming the backend and key.</summary>
public sealed class StartSettingsReaderTests
{
    private static readonly Uri LlamaUrl = new("http://localhost:8090/v1");

    [Fact]
    public void A_string_runs_through_the_shell_and_is_shown_as_written()
    {
        var settings = Read("""{ "start": "llama-server -m ~/models/q.gguf --port 8090 2>&1" }""");

        settings.Command.Display.ShouldBe("llama-server -m ~/models/q.gguf --port 8090 2>&1");
        if (!OperatingSystem.IsWindows())
        {
            settings.Command.Program.ShouldBe("/bin/sh");
            settings.Command.Arguments.ShouldBe(["-c", "llama-server -m ~/models/q.gguf --port 8090 2>&1"]);
        }

        settings.Timeout.ShouldBe(TimeSpan.FromSeconds(600));
        settings.Environment.ShouldBeEmpty();
    }

    [Fact]
    public void A_list_runs_directly_word_for_word_and_is_shown_quoted_for_a_shell()
    {
        var settings = Read("""{ "start": ["/opt/llama/llama-server", "-m", "/models/my model.gguf", "--chat-template-kwargs", "{\"a\":1}", "--port", "8090"], "startTimeoutSeconds": 30 }""");

        settings.Command.Program.ShouldBe("/opt/llama/llama-server");
        settings.Command.Arguments.ShouldBe(["-m", "/models/my model.gguf", "--chat-template-kwargs", "{\"a\":1}", "--port", "8090"]);
        settings.Command.ShellText.ShouldBeNull();
        settings.Command.Display.ShouldBe("""/opt/llama/llama-server -m '/models/my model.gguf' --chat-template-kwargs '{"a":1}' --port 8090""");
        settings.Timeout.ShouldBe(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void The_llama_cpp_short_form_builds_llama_server_with_the_port_of_the_backend_url_the_context_slots_and_jinja()
    {
        var settings = Read("""{ "start": { "model": "~/models/Qwen3-Coder-30B-A3B-Instruct-Q4_K_M.gguf" } }""");

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        settings.Command.Display.ShouldBe($"llama-server -m {Path.Combine(home, "models/Qwen3-Coder-30B-A3B-Instruct-Q4_K_M.gguf")} --port 8090 -c 131072 --parallel 2 --jinja");
    }

    [Fact]
    public void The_llama_cpp_short_form_takes_a_hugging_face_name_the_sizes_the_host_memory_cache_and_more_flags()
    {
        var settings = Read(
            """{ "start": { "model": "unsloth/Qwen3-Coder-30B-A3B-Instruct-GGUF:Q4_K_M", "contextSize": 65536, "parallel": 3, "cacheRam": 16384, "executable": "/opt/llama/llama-server", "arguments": ["-ngl", "99"] } }""",
            url: new Uri("http://192.168.1.20:8091/v1"));

        settings.Command.Program.ShouldBe("/opt/llama/llama-server");
        settings.Command.Display.ShouldBe("/opt/llama/llama-server -hf unsloth/Qwen3-Coder-30B-A3B-Instruct-GGUF:Q4_K_M --port 8091 --host 192.168.1.20 -c 65536 --parallel 3 --jinja --cache-ram 16384 -ngl 99");
    }

    [Fact]
    public void The_mlx_lm_short_form_builds_mlx_lm_server_and_takes_the_backends_model_when_it_names_none()
    {
        var given = Read("""{ "start": { "model": "mlx-community/Qwen3-Coder-30B-A3B-Instruct-4bit", "arguments": "--prompt-cache-size 20" } }""", kind: "mlx-lm", url: new Uri("http://localhost:8081/v1"));
        var inherited = Read("""{ "model": "mlx-community/Qwen3-4B-4bit", "start": { "executable": "mlx_lm.server" } }""", kind: "mlx-lm", url: new Uri("http://127.0.0.1:8081/v1"));

        given.Command.Display.ShouldBe("mlx_lm.server --model mlx-community/Qwen3-Coder-30B-A3B-Instruct-4bit --port 8081 --prompt-cache-size 20");
        inherited.Command.Display.ShouldBe("mlx_lm.server --model mlx-community/Qwen3-4B-4bit --port 8081");
    }

    [Fact]
    public void Variables_for_the_server_are_read_and_equal_settings_compare_equal()
    {
        const string Json = """{ "start": ["ollama", "serve"], "startEnvironment": { "OLLAMA_HOST": "127.0.0.1:11500" } }""";

        var settings = Read(Json, kind: "ollama");

        settings.Environment.ShouldBe(new Dictionary<string, string> { ["OLLAMA_HOST"] = "127.0.0.1:11500" });
        Read(Json, kind: "ollama").ShouldBe(settings);
        Read("""{ "start": ["ollama", "serve"] }""", kind: "ollama").ShouldNotBe(settings);
    }

    [Fact]
    public void A_backend_without_start_has_none()
    {
        var errors = new List<string>();
        StartSettingsReader.Read(Section("""{ "url": "http://localhost:8090/v1" }"""), "llama-cpp", LlamaUrl, errors).ShouldBeNull();
        StartSettingsReader.Read(Section("""{ "start": "  " }"""), "llama-cpp", LlamaUrl, errors).ShouldBeNull();
        errors.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{ "start": { "model": "x" } }""", "ollama", """backends.local: start: an object is the short form of the kinds llama-cpp and mlx-lm; for kind 'ollama' give the command as a string run by the shell or a list of words (for example "ollama serve")""")]
    [InlineData("""{ "start": { "modle": "x.gguf" } }""", "llama-cpp", "backends.local.start.modle: unknown key (the llama-cpp short form has model, contextSize, parallel, cacheRam, executable, arguments)")]
    [InlineData("""{ "start": { "contextSize": 65536 } }""", "llama-cpp", "backends.local.start.model: missing; name the model the server loads (a .gguf file or a Hugging Face repository)")]
    [InlineData("""{ "start": { "model": "x.gguf", "parallel": "two" } }""", "llama-cpp", "backends.local.start.parallel: 'two' is not a whole number from 1 to 1024")]
    [InlineData("""{ "start": ["llama-server", { "m": "x" }] }""", "llama-cpp", "backends.local.start[1]: must be a string (one string per word)")]
    [InlineData("""{ "start": "llama-server", "startTimeoutSeconds": "soon" }""", "llama-cpp", "backends.local.startTimeoutSeconds: 'soon' is not a whole number of seconds from 1 to 86400")]
    [InlineData("""{ "start": "ollama serve", "startEnvironment": "OLLAMA_HOST=x" }""", "ollama", """backends.local.startEnvironment: 'OLLAMA_HOST=x' is not an object of variables (for example {"CUDA_VISIBLE_DEVICES": "0"})""")]
    public void Each_mistake_is_one_line_naming_the_backend_and_the_key_and_leaves_no_start_command(string json, string kind, string error)
    {
        var errors = new List<string>();

        StartSettingsReader.Read(Section(json), kind, LlamaUrl, errors).ShouldBeNull();

        errors.ShouldBe([error.Replace("backends.local: start:", "backends.local.start:", StringComparison.Ordinal)]);
    }

    private static StartSettings Read(string json, string kind = "llama-cpp", Uri? url = null)
    {
        var errors = new List<string>();
        var settings = StartSettingsReader.Read(Section(json), kind, url ?? LlamaUrl, errors);
        errors.ShouldBeEmpty();
        return settings.ShouldNotBeNull();
    }

    private static IConfigurationSection Section(string backendJson) =>
        new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes($$"""{ "backends": { "local": {{backendJson}} } }""")))
            .Build()
            .GetSection("backends:local");
}
