



using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Plugins;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>The response-side part of <c>anyclaude plugins</c>: the plugins' response steps, and each backend's response pipeline.</summary>
internal static class ResponseListing
{
    public static void WriteSteps(PluginCatalog catalog, TextWriter output, Action<TextWriter, string[], IEnumerable<string[]>> writeTable)
    {
        var steps = ResponseCatalog.FromPlugins(catalog).ToList();
        output.WriteLine();
        output.WriteLine($"Response transforms ({steps.Count}):");
        writeTable(output, ["NAME", "PLUGIN", "TYPE"], steps.Select(s => new[] { s.Step.Name, s.Plugin.Name, s.Step.GetType().FullName ?? "?" }));
    }

    public static void WritePipelines(PluginCatalog catalog, AnyClaudeOptions options, BackendRegistry backends, TextWriter output)
    {
        var responses = ResponseCatalog.For(catalog);
        output.WriteLine();
        output.WriteLine("Response pipelines:");
        if (responses.Validate(options) is { Count: > 0 } problems)
        {
            foreach (var problem in problems)
            {
                output.WriteLine($"  {problem}");
            }

            return;
        }

        var pipelines = new ResponsePipelines(options.Backends.GetValueOrDefault, responses);
        foreach (var backend in backends.All)
        {
            var pipeline = pipelines.For(backend);
            string format = options.Backends.GetValueOrDefault(backend.Name)?.Responses.ToolCallFormat is { } f
                ? OpenAICompat.ToolCalls.ToolCallFormats.NameOf(f)
                : "auto";
            string steps = pipeline.Steps.Count == 0
                ? "(none)"
                : string.Join(" -> ", pipeline.Steps.Select(s => s.Name == ResponseCatalog.TextToolCalls ? $"{s.Name} [{format}] (built-in)" : $"{s.Name} ({RequestPipeline.KindName(s.Kind)})"));
            output.WriteLine($"  {backend.Name}: {steps}");
        }
    }
}
