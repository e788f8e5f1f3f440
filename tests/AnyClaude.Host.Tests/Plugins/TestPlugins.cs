using System.Security.Cryptography;
using System.Text;

namespace AnyClaude.Host.Tests.Plugins;

// Alone (not beside other collections): the memory figures and the watcher timings are not disturbed by other tests.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PluginCollection : ICollectionFixture<TestPlugins>
{
    public const string Name = "Plugins built from source";
}

/// <summary>
/// Small plugins built from source once per test run (with one <c>dotnet build</c> of a generated solution outside
/// the repository), against the repository's contract projects the way a third party would build one.
/// Each variant's output lands in <see cref="OutputOf"/>; tests copy it into plugin folders.
/// </summary>
public sealed class TestPlugins : IAsyncLifetime
{
    /// <summary>Echo 1.0.0: kind <c>echo</c> (found by the scan), answers "echo v1", transform <c>echo-mark</c>.</summary>
    public const string EchoV1 = "EchoV1";

    /// <summary>Echo 2.0.0: the same assembly name, answers "echo v2".</summary>
    public const string EchoV2 = "EchoV2";

    /// <summary>Carries Serilog 2.10.0 while the host uses 4.4.0.</summary>
    public const string Isolated = "Isolated";

    /// <summary>Carries Serilog 4.4.0, exactly the host's: shares the host's copy.</summary>
    public const string SharedSerilog = "SharedSerilog";

    /// <summary>Carries Microsoft.Extensions.Logging.Abstractions 10.0.15, which the contracts expose: the host's is used.</summary>
    public const string CarriesLogging = "CarriesLogging";

    public const string ThrowsInConstructor = "ThrowsInConstructor";
    public const string ThrowsInConfigure = "ThrowsInConfigure";

    /// <summary>A plugin whose response step's constructor throws.</summary>
    public const string ResponseStepThrows = "ResponseStepThrows";
    public const string NoEntry = "NoEntry";
    public const string TwoEntries = "TwoEntries";

    /// <summary>Another plugin offering kind <c>echo</c>.</summary>
    public const string EchoClone = "EchoClone";

    /// <summary>Built against an AnyClaude.Abstractions 2.0.0.</summary>
    public const string FutureContract = "FutureContract";

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"anyclaude-test-plugins-{Hash(RepositoryPaths.Root)}");

    public string OutputOf(string variant) => Path.Combine(Root, "out", variant);

    public async Task InitializeAsync()
    {
        string src = Path.Combine(Root, "src");
        Directory.CreateDirectory(src);
        var projects = Projects();
        foreach (var (name, csproj, code) in projects)
        {
            Directory.CreateDirectory(Path.Combine(src, name));
            WriteIfChanged(Path.Combine(src, name, name + ".csproj"), csproj);
            WriteIfChanged(Path.Combine(src, name, "Plugin.cs"), code);
        }

        WriteIfChanged(Path.Combine(src, "TestPlugins.slnx"),
            "<Solution>\n" + string.Concat(projects.Select(p => $"  <Project Path=\"{p.Name}/{p.Name}.csproj\" />\n")) + "</Solution>\n");
        var (exitCode, output) = await DotNet.RunAsync(src, TimeSpan.FromMinutes(5),
            "build", "TestPlugins.slnx", "-c", RepositoryPaths.Configuration, "-nodeReuse:false", "-v:q", "-nologo");
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"building the test plugins failed ({exitCode}):\n{output}");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Copies a variant's build output into <c>pluginsDirectory/name/</c> in one step (staged, then moved in).</summary>
    public string Install(string variant, string pluginsDirectory, string? name = null)
    {
        name ??= variant;
        string target = Path.Combine(pluginsDirectory, name);
        string staging = Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(pluginsDirectory))!, $".staging-{Guid.NewGuid():N}");
        CopyDirectory(OutputOf(variant), staging);
        Directory.Move(staging, target);
        return target;
    }

    public static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
    }

    private static void WriteIfChanged(string path, string text)
    {
        if (!File.Exists(path) || File.ReadAllText(path) != text)
        {
            File.WriteAllText(path, text);
        }
    }

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12].ToLowerInvariant();

    private List<(string Name, string Csproj, string Code)> Projects()
    {
        string abstractions = Path.Combine(RepositoryPaths.Root, "src", "Abstractions", "AnyClaude.Abstractions.csproj");
        string Csproj(string name, string assemblyName, string version, string references) => $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <AssemblyName>{assemblyName}</AssemblyName>
                <Version>{version}</Version>
                <EnableDynamicLoading>true</EnableDynamicLoading>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <OutputPath>{OutputOf(name)}/</OutputPath>
                <AppendTargetFrameworkToOutputPath>false</AppendTargetFrameworkToOutputPath>
                <NoWarn>$(NoWarn);NU1603;CS1998</NoWarn>
              </PropertyGroup>
              <ItemGroup>
            {references}
              </ItemGroup>
            </Project>
            """;
        string contract = $"""    <ProjectReference Include="{abstractions}" Private="false" ExcludeAssets="runtime" />""";
        string Plugin(string name, string kind, string answer, string extra = "") => $$"""
            using System.Runtime.CompilerServices;
            using AnyClaude.Abstractions.Backends;
            using AnyClaude.Abstractions.Messages;
            using AnyClaude.Abstractions.Plugins;
            using AnyClaude.Abstractions.Streaming;
            using AnyClaude.Abstractions.Transforms;

            namespace TestPlugins.{{name}};

            public sealed class {{name}}Plugin : IAnyClaudePlugin
            {
                public string Name => "{{name}}";

                public void Configure(IPluginBuilder plugin) { }
            }

            public sealed class {{name}}Factory : IBackendFactory
            {
                public string Kind => "{{kind}}";

                public BackendDefaults? Defaults => null;

                public IBackend Create(BackendSettings settings, BackendServices services) => new AnswerBackend(settings, () => {{answer}});
            }

            /// <summary>Answers one text; a request saying "wait" pauses mid-answer until the file in Extra["gate"] exists.</summary>
            internal sealed class AnswerBackend(BackendSettings settings, Func<string> answer) : IBackend
            {
                public string Name => settings.Name;

                public BackendCapabilities Capabilities { get; } = new();

                public Uri BaseUrl => settings.Url;

                public async IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
                {
                    yield return new MessageStartEvent(new MessageResponse { Id = "msg_test", Model = request.Model, Usage = new Usage { InputTokens = 1 } });
                    yield return new ContentBlockStartEvent(0, new TextBlock(""));
                    yield return new ContentBlockDeltaEvent(0, new TextDelta("["));
                    bool wait = request.Messages.SelectMany(m => m.Content).OfType<TextBlock>().Any(b => b.Text == "wait");
                    if (wait && settings.Extra.GetValueOrDefault("gate") is { } gate)
                    {
                        while (!File.Exists(gate))
                        {
                            await Task.Delay(20, cancellationToken);
                        }
                    }

                    yield return new ContentBlockDeltaEvent(0, new TextDelta(answer() + "]"));
                    yield return new ContentBlockStopEvent(0);
                    yield return new MessageDeltaEvent(new MessageDelta(StopReasons.EndTurn, null), new Usage { OutputTokens = 2 });
                    yield return MessageStopEvent.Instance;
                }

                public ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(1);

                public Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) => Task.FromResult(BackendHealth.Healthy("fine"));

                public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ModelInfo>>([]);
            }
            {{extra}}
            """;
        string markTransform = """

            public sealed class MarkTransform : IRequestTransform
            {
                public string Name => "echo-mark";

                public ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
            }
            """;
        string serilogTransform = """

            public sealed class SerilogVersionTransform : IRequestTransform
            {
                public string Name => "serilog " + SerilogVersion.Informational;

                public ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
            }

            public static class SerilogVersion
            {
                public static string Informational =>
                    typeof(Serilog.Log).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                        .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().First().InformationalVersion.Split('+', '-')[0];
            }
            """;
        string loggedSettings = """

            public static class Logged
            {
                public static BackendSettings Settings(Microsoft.Extensions.Logging.ILoggerFactory loggers, BackendSettings settings)
                {
                    Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(loggers.CreateLogger("CarriesLogging"), "created {Name}", settings.Name);
                    return settings;
                }
            }
            """;
        string serilog(string version) => $"""    <PackageReference Include="Serilog" Version="{version}" />""";
        return
        [
            (EchoV1, Csproj(EchoV1, "Echo", "1.0.0", contract), Plugin("Echo", "echo", "\"echo v1\"", markTransform)),
            (EchoV2, Csproj(EchoV2, "Echo", "2.0.0", contract), Plugin("Echo", "echo", "\"echo v2\"", markTransform)),
            (Isolated, Csproj(Isolated, Isolated, "1.0.0", contract + "\n" + serilog("2.10.0")), Plugin(Isolated, "isolated", "\"serilog \" + SerilogVersion.Informational", serilogTransform)),
            (SharedSerilog, Csproj(SharedSerilog, SharedSerilog, "1.0.0", contract + "\n" + serilog("4.4.0")), Plugin(SharedSerilog, "shared-serilog", "\"serilog \" + SerilogVersion.Informational", serilogTransform)),
            (CarriesLogging, Csproj(CarriesLogging, CarriesLogging, "1.0.0", contract + "\n" + """    <PackageReference Include="Microsoft.Extensions.Logging.Abstractions" Version="10.0.15" />"""),
                Plugin(CarriesLogging, "carries-logging", "\"logged\"", loggedSettings)
                    .Replace("new AnswerBackend(settings, ", "new AnswerBackend(Logged.Settings(services.LoggerFactory, settings), ")),
            (ThrowsInConstructor, Csproj(ThrowsInConstructor, ThrowsInConstructor, "1.0.0", contract), Plugin(ThrowsInConstructor, "ctor-kind", "\"never\"")
                .Replace("public string Name => \"ThrowsInConstructor\";", "public ThrowsInConstructorPlugin() => throw new InvalidOperationException(\"constructor boom\");\n\n    public string Name => \"ThrowsInConstructor\";")),
            (ThrowsInConfigure, Csproj(ThrowsInConfigure, ThrowsInConfigure, "1.0.0", contract), Plugin(ThrowsInConfigure, "configure-kind", "\"never\"")
                .Replace("public void Configure(IPluginBuilder plugin) { }", "public void Configure(IPluginBuilder plugin) => throw new InvalidOperationException(\"configure boom\");")),
            (ResponseStepThrows, Csproj(ResponseStepThrows, ResponseStepThrows, "1.0.0", contract), Plugin(ResponseStepThrows, "step-throws-kind", "\"never\"",
                "\npublic sealed class BrokenStep : AnyClaude.Abstractions.Responses.IResponseTransform\n{\n    public BrokenStep() => throw new InvalidOperationException(\"step boom\");\n\n    public string Name => \"broken-step\";\n\n    public IAsyncEnumerable<MessageStreamEvent> Apply(IAsyncEnumerable<MessageStreamEvent> events, AnyClaude.Abstractions.Responses.ResponseContext context) => events;\n}\n")),
            (NoEntry, Csproj(NoEntry, NoEntry, "1.0.0", contract), Plugin(NoEntry, "no-entry-kind", "\"never\"")
                .Replace("public sealed class NoEntryPlugin : IAnyClaudePlugin", "public sealed class NoEntryPlugin")),
            (TwoEntries, Csproj(TwoEntries, TwoEntries, "1.0.0", contract), Plugin(TwoEntries, "two-entries-kind", "\"never\"",
                "\npublic sealed class SecondEntry : IAnyClaudePlugin\n{\n    public string Name => \"Second\";\n\n    public void Configure(IPluginBuilder plugin) { }\n}\n")),
            (EchoClone, Csproj(EchoClone, EchoClone, "1.0.0", contract), Plugin(EchoClone, "echo", "\"clone\"")),
            ("FakeContract", Csproj("FakeContract", "AnyClaude.Abstractions", "2.0.0", ""),
                "namespace AnyClaude.Abstractions.Plugins;\n\npublic interface IAnyClaudePlugin\n{\n    string Name { get; }\n}\n"),
            (FutureContract, Csproj(FutureContract, FutureContract, "1.0.0", "    <ProjectReference Include=\"../FakeContract/FakeContract.csproj\" Private=\"false\" />"),
                "namespace TestPlugins.FutureContract;\n\npublic sealed class FuturePlugin : AnyClaude.Abstractions.Plugins.IAnyClaudePlugin\n{\n    public string Name => \"FutureContract\";\n}\n"),
        ];
    }
}
