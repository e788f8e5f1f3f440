using AnyClaude.EndToEnd.Tests.Infrastructure;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// What the real anyclaude process has mapped once it serves and waits (issue 23, point 3: load what is needed when it is
/// first needed), read from <c>/proc/PID/maps</c>: the plugins and the contracts are in, the assemblies nothing asked for
/// yet are not.
/// </summary>
public sealed class StartupMemoryTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // Reached only through the contracts' references (the tokenizer library and its Protobuf, the client's TLS, QUIC and
    // compression), or named only when a setting asks for it (the OTLP exporter).
    private static readonly string[] NotNeededAtIdle =
    [
        "Google.Protobuf.dll",
        "Microsoft.ML.Tokenizers.dll",
        "OpenTelemetry.Exporter.OpenTelemetryProtocol.dll",
        "System.Net.Quic.dll",
        "System.IO.Compression.Brotli.dll",
        "System.Linq.Expressions.dll",
    ];

    private readonly ClaudeSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task A_proxy_waiting_for_its_first_request_has_loaded_its_plugins_but_nothing_no_one_asked_for()
    {
        await using var anyclaude = await StartAsync(Environment());

        var mapped = MappedFiles(anyclaude.Id);

        mapped.ShouldContain("MlxLm.dll", "the default plugins are loaded at start");
        mapped.ShouldContain("Ollama.dll");
        mapped.ShouldContain("AnyClaude.OpenAICompat.dll");
        foreach (string file in NotNeededAtIdle)
        {
            mapped.ShouldNotContain(file, $"{file} is mapped at idle:\n{string.Join('\n', mapped.Order())}");
        }
    }

    [Fact]
    public async Task An_otlp_endpoint_loads_the_otlp_exporter()
    {
        var environment = Environment();
        environment["ANYCLAUDE_OTLPENDPOINT"] = $"http://127.0.0.1:{CommandLineTests.FreePort()}";

        await using var anyclaude = await StartAsync(environment);

        MappedFiles(anyclaude.Id).ShouldContain("OpenTelemetry.Exporter.OpenTelemetryProtocol.dll");
    }

    private async Task<BackgroundProcess> StartAsync(Dictionary<string, string> environment)
    {
        var anyclaude = BackgroundProcess.Start(RepositoryPaths.AnyClaudeExecutable, ["--proxy-only"], environment, _sandbox.WorkDirectory);
        try
        {
            await anyclaude.WaitForLineAsync("Point Claude Code at it", StartTimeout);
            return anyclaude;
        }
        catch
        {
            await anyclaude.DisposeAsync();
            throw;
        }
    }

    private static HashSet<string> MappedFiles(int pid) =>
        File.ReadLines($"/proc/{pid}/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].StartsWith('/'))
            .Select(fields => Path.GetFileName(fields[5].Trim()))
            .ToHashSet(StringComparer.Ordinal);

    private Dictionary<string, string> Environment()
    {
        var environment = _sandbox.ProxyEnvironment();
        environment["ANYCLAUDE_MODE"] = "mlx-lm";
        // Nothing listens there: the health check fails quietly, which is all an idle proxy does.
        environment["MLX_LM_URL"] = $"http://127.0.0.1:{CommandLineTests.FreePort()}/v1";
        return environment;
    }
}
