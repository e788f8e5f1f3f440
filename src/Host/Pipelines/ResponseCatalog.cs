using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Responses;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Plugins;
using AnyClaude.OpenAICompat.ToolCalls;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Pipelines;

/// <summary>
/// Every response step the proxy knows by name: the built-ins and the plugins' steps. Builds a backend's pipeline
/// from its <c>responseTransforms</c> list, or by default: <c>think-tags</c> (unless the backend's kind speaks
/// Anthropic's API, whose servers send thinking as blocks), <c>text-tool-calls</c> (unless <c>toolCallFormat</c> is
/// <c>none</c>), every plugin step in plugin order, then <c>stop-sequences</c>. Think tags go first so that a tool call
/// after the thinking is parsed and a stop sequence inside the thinking does not end the answer; stop sequences go
/// last, matched in the text the client would get (not in tool calls, as for native ones). <c>stop-sequences</c>
/// is the protocol's own contract, not a fix-up: a list that leaves it out gets it at the end.
/// </summary>
internal sealed class ResponseCatalog(IEnumerable<IResponseTransform> pluginSteps)
{
    public const string ThinkTags = ThinkTagTransform.TransformName;

    public const string TextToolCalls = TextToolCallTransform.TransformName;

    public const string StopSequences = StopSequenceTransform.TransformName;

    /// <summary>The kind whose servers answer in Anthropic's shape (the passthrough): thinking arrives as blocks.</summary>
    private const string AnthropicKind = "anthropic";

    public static readonly IReadOnlyList<string> BuiltInNames = [ThinkTags, TextToolCalls, StopSequences];

    private static readonly ThinkTagTransform ThinkTagStep = new();

    private static readonly StopSequenceTransform StopSequenceStep = new();

    private readonly IReadOnlyList<IResponseTransform> _plugins = [.. pluginSteps];

    public static ResponseCatalog BuiltInOnly { get; } = new([]);

    public IReadOnlyList<IResponseTransform> PluginSteps => _plugins;

    public IEnumerable<string> KnownNames => BuiltInNames.Concat(_plugins.Select(p => p.Name));

    /// <summary>The default order: the built-ins that fit the backend, the plugin steps, <c>stop-sequences</c> last.</summary>
    private IEnumerable<string> DefaultNames(BackendOptions? settings, ResponseSettings responses)
    {
        if (!string.Equals(settings?.Kind, AnthropicKind, StringComparison.OrdinalIgnoreCase))
        {
            yield return ThinkTags;
        }

        if (responses.ToolCallFormat != ToolCallFormat.None)
        {
            yield return TextToolCalls;
        }

        foreach (var plugin in _plugins)
        {
            yield return plugin.Name;
        }

        yield return StopSequences;
    }

    /// <summary>The response steps of the plugins in a catalog (those a plugin registered, and those Scrutor found in its assembly).</summary>
    public static IEnumerable<(IResponseTransform Step, LoadedPlugin Plugin)> FromPlugins(PluginCatalog catalog) =>
        catalog.Plugins.SelectMany(plugin => plugin.ResponseTransforms.Select(step => (step, plugin)));

    public static ResponseCatalog For(PluginCatalog catalog) => new(FromPlugins(catalog).Select(p => p.Step));

    /// <summary>One line per problem: an unknown name in a <c>responseTransforms</c> list, a plugin step whose name is taken.</summary>
    public IReadOnlyList<string> Validate(AnyClaudeOptions options)
    {
        var errors = new List<string>();
        var seen = new HashSet<string>(BuiltInNames, StringComparer.OrdinalIgnoreCase);
        foreach (var plugin in _plugins.Where(p => !seen.Add(p.Name)))
        {
            errors.Add($"responseTransforms: the plugin step '{plugin.Name}' ({plugin.GetType().FullName}) has the name of another step");
        }

        var known = KnownNames.ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (backend, settings) in options.Backends)
        {
            foreach (string name in (settings.Responses.Transforms ?? []).Where(n => !known.Contains(n)))
            {
                errors.Add($"backends.{backend}.responseTransforms: unknown response step '{name}' (known: {string.Join(", ", KnownNames)})");
            }
        }

        return errors;
    }

    public ResponsePipeline Build(string backendName, BackendOptions? settings)
    {
        var responses = settings?.Responses ?? new ResponseSettings();
        var steps = new List<ResponseStep>();
        IReadOnlyList<string> names = responses.Transforms is { } listed
            ? listed.Contains(StopSequences, StringComparer.OrdinalIgnoreCase) ? listed : [.. listed, StopSequences]
            : [.. DefaultNames(settings, responses)];
        foreach (string name in names)
        {
            if (string.Equals(name, ThinkTags, StringComparison.OrdinalIgnoreCase))
            {
                steps.Add(new ResponseStep(ThinkTags, TransformKind.BuiltIn, ThinkTagStep));
            }
            else if (string.Equals(name, TextToolCalls, StringComparison.OrdinalIgnoreCase))
            {
                steps.Add(new ResponseStep(TextToolCalls, TransformKind.BuiltIn, new TextToolCallTransform(responses.ToolCallFormat)));
            }
            else if (string.Equals(name, StopSequences, StringComparison.OrdinalIgnoreCase))
            {
                steps.Add(new ResponseStep(StopSequences, TransformKind.BuiltIn, StopSequenceStep));
            }
            else if (_plugins.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { } plugin)
            {
                steps.Add(new ResponseStep(plugin.Name, TransformKind.Plugin, plugin));
            }
            else
            {
                // Checked at start-up (Validate); here only when a reload took away a plugin step the list names.
                throw new AnthropicException(
                    AnthropicErrorTypes.Api,
                    $"backends.{backendName}.responseTransforms: unknown response step '{name}' (known: {string.Join(", ", KnownNames)}); was the plugin that provided it removed?",
                    statusCode: 502,
                    shouldRetry: false);
            }
        }

        return new ResponsePipeline(backendName, steps);
    }
}
