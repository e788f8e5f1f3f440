using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Scripting;
using AnyClaude.Abstractions.Transforms;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Scripting;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Pipelines;

/// <summary>
/// Every request transform the proxy knows by name: the built-ins, the plugins' transforms (given as a plain
/// list, whoever loaded them) and the scripts (by file name, <c>trim-system-prompt.csx</c>). Checks each
/// backend's configured <c>transforms</c> list and builds its pipeline:
/// the configured order when there is one, otherwise the built-ins its capabilities call for, then every plugin
/// transform in the order given, then every script that runs for it in file-name order.
/// </summary>
internal sealed class TransformCatalog
{
    public const string StripBillingHeader = "strip-billing-header";
    public const string DropCacheControl = "drop-cache-control";
    public const string HoistSystemMessage = HoistSystemMessageTransform.TransformName;
    public const string CleanSchema = CleanSchemaTransform.TransformName;
    public const string ClampMaxTokens = "clamp-max-tokens";
    public const string StripTools = StripToolsTransform.TransformName;

    public const string EmulateTools = OpenAICompat.ToolCalls.EmulateToolsTransform.TransformName;

    public static readonly IReadOnlyList<string> BuiltInNames = [StripBillingHeader, DropCacheControl, HoistSystemMessage, CleanSchema, ClampMaxTokens, StripTools, EmulateTools];

    private readonly IReadOnlyList<IRequestTransform> _plugins;

    public TransformCatalog(IEnumerable<IRequestTransform> pluginTransforms, ScriptSet scripts)
    {
        _plugins = pluginTransforms.ToList();
        Scripts = scripts;
    }

    public static TransformCatalog BuiltInOnly { get; } = new([], ScriptSet.Empty);

    /// <summary>The same scripts with another set of plugin transforms (after a plugin reload).</summary>
    public TransformCatalog WithPluginTransforms(IEnumerable<IRequestTransform> pluginTransforms) => new(pluginTransforms, Scripts);

    /// <summary>The same plugin transforms with another set of scripts (after the script folders changed).</summary>
    public TransformCatalog WithScripts(ScriptSet scripts) => new(_plugins, scripts);

    public ScriptSet Scripts { get; }

    public IReadOnlyList<IRequestTransform> PluginTransforms => _plugins;

    /// <summary>Every name a <c>transforms</c> list may use, in default order.</summary>
    public IEnumerable<string> KnownNames => BuiltInNames.Concat(_plugins.Select(p => p.Name)).Concat(Scripts.Scripts.Select(s => s.Name));

    /// <summary>One line per problem: an unknown name in a backend's <c>transforms</c>, a plugin transform whose name is taken.</summary>
    public IReadOnlyList<string> Validate(AnyClaudeOptions options)
    {
        var errors = new List<string>();
        var seen = new HashSet<string>(BuiltInNames, StringComparer.OrdinalIgnoreCase);
        foreach (var plugin in _plugins)
        {
            if (!seen.Add(plugin.Name))
            {
                errors.Add($"transforms: the plugin transform '{plugin.Name}' ({plugin.GetType().FullName}) has the name of another transform");
            }
        }

        var known = KnownNames.ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (backend, settings) in options.Backends)
        {
            foreach (string name in settings.Transforms ?? [])
            {
                if (!known.Contains(name))
                {
                    errors.Add($"backends.{backend}.transforms: unknown transform '{name}' (known: {string.Join(", ", KnownNames)})");
                }
            }
        }

        return errors;
    }

    /// <summary>The order used when a backend configures none.</summary>
    public IReadOnlyList<string> DefaultOrder(string backendName, BackendCapabilities capabilities)
    {
        var names = new List<string> { StripBillingHeader, DropCacheControl };
        if (capabilities.PromptCache)
        {
            names.Add(HoistSystemMessage);
        }

        names.Add(capabilities.Tools ? CleanSchema : StripTools);
        names.Add(ClampMaxTokens);
        names.AddRange(_plugins.Select(p => p.Name));
        names.AddRange(Scripts.Scripts.Where(s => s.Compiled && s.RunsFor(backendName)).Select(s => s.Name));
        return names;
    }

    /// <summary>Builds one backend's pipeline. Unknown names throw (call <see cref="Validate"/> first to report them).</summary>
    public RequestPipeline Build(
        string backendName,
        BackendOptions? settings,
        BackendCapabilities capabilities,
        ILoggerFactory loggerFactory,
        bool timed)
    {
        var info = new ScriptBackend(backendName, settings?.Kind ?? backendName, capabilities);
        var logger = loggerFactory.CreateLogger("AnyClaude.Transforms");
        var steps = new List<PipelineStep>();
        foreach (string name in settings?.Transforms ?? ToolEmulationDefaults.Apply(DefaultOrder(backendName, capabilities), settings))
        {
            if (CreateBuiltIn(name, settings) is { } builtIn)
            {
                steps.Add(new PipelineStep(builtIn.Name, TransformKind.BuiltIn, builtIn));
            }
            else if (_plugins.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { } plugin)
            {
                steps.Add(new PipelineStep(plugin.Name, TransformKind.Plugin, plugin));
            }
            else if (Scripts.Scripts.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)) is { } script)
            {
                if (!script.Compiled)
                {
                    LogScriptSkipped(logger, script.Name, backendName, "it did not compile");
                }
                else if (!script.RunsFor(backendName))
                {
                    LogScriptSkipped(logger, script.Name, backendName, $"its '// backends:' line names only {string.Join(", ", script.Backends!)}");
                }
                else
                {
                    var log = loggerFactory.CreateLogger($"AnyClaude.Scripts.{script.Name}");
                    steps.Add(new PipelineStep(script.Name, TransformKind.Script, new ScriptTransform(script, info, log)));
                }
            }
            else
            {
                // Checked at start-up (Validate); here only when a reload took away a plugin transform the list names.
                throw new AnthropicException(
                    AnthropicErrorTypes.Api,
                    $"backends.{backendName}.transforms: unknown transform '{name}' (known: {string.Join(", ", KnownNames)}); was the plugin that provided it removed?",
                    statusCode: 502,
                    shouldRetry: false);
            }
        }

        return new RequestPipeline(backendName, steps, timed ? logger : null);
    }

    private static IRequestTransform? CreateBuiltIn(string name, BackendOptions? settings) => name.ToLowerInvariant() switch
    {
        StripBillingHeader => new StripBillingHeaderTransform(),
        DropCacheControl => new DropCacheControlTransform(),
        HoistSystemMessage => new HoistSystemMessageTransform(),
        CleanSchema => new CleanSchemaTransform(settings?.CleanSchemaKeywords),
        ClampMaxTokens => new ClampMaxTokensTransform(),
        StripTools => new StripToolsTransform(),
        EmulateTools => new OpenAICompat.ToolCalls.EmulateToolsTransform(settings?.Responses.ToolEmulation ?? OpenAICompat.ToolCalls.ToolCallFormat.Hermes),
        _ => null,
    };

    private static void LogScriptSkipped(ILogger logger, string script, string backend, string reason) =>
        logger.LogWarning("script {Script} is not in the pipeline of {Backend}: {Reason}", script, backend, reason);
}
