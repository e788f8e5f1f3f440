using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Responses;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Plugins;
using AnyClaude.Host.Transforms;
using AnyClaude.OpenAICompat.ToolCalls;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Responses;

/// <summary>
/// Every response step the proxy knows by name: the built-ins and the plugins' steps. Builds a backend's pipeline
/// from its <c>responseTransforms</c> list, or by default: the built-ins (<c>text-tool-calls</c> unless
/// <c>toolCallFormat</c> is <c>none</c>), then every plugin step in plugin order.
/// </summary>
internal sealed class ResponseCatalog(IEnumerable<IResponseTransform> pluginSteps)
{
    public const string TextToolCalls = TextToolCallTransform.TransformName;

    public static readonly IReadOnlyList<string> BuiltInNames = [TextToolCalls];

    private readonly IReadOnlyList<IResponseTransform> _plugins = [.. pluginSteps];

    public static ResponseCatalog BuiltInOnly { get; } = new([]);

    public IReadOnlyList<IResponseTransform> PluginSteps => _plugins;

    public IEnumerable<string> KnownNames => BuiltInNames.Concat(_plugins.Select(p => p.Name));

    /// <summary>The response steps of the plugins in a catalog (those a plugin registered, and those Scrutor found in its assembly).</summary>
    public static IEnumerable<(IResponseTransform Step, LoadedPlugin Plugin)> FromPlugins(PluginCatalog catalog) =>
        catalog.Plugins.SelectMany(plugin => plugin.Services.GetServices<IResponseTransform>().DistinctBy(s => s.GetType()).Select(step => (step, plugin)));

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
        var defaults = KnownNames.Where(n => responses.ToolCallFormat != ToolCallFormat.None || n != TextToolCalls);
        foreach (string name in responses.Transforms ?? [.. defaults])
        {
            if (string.Equals(name, TextToolCalls, StringComparison.OrdinalIgnoreCase))
            {
                steps.Add(new ResponseStep(TextToolCalls, TransformKind.BuiltIn, new TextToolCallTransform(responses.ToolCallFormat)));
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
