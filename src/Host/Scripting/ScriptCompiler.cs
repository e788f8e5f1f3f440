using System.Globalization;
using System.Text.Json;
using System.Text;
using AnyClaude.Abstractions.Scripting;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Scripting;

/// <summary>
/// Compiles a script with Roslyn scripting into an assembly image. Kept apart from <see cref="ScriptLoader"/> so
/// that a start-up whose scripts all come from the cache never loads the compiler's assemblies.
/// </summary>
internal static class ScriptCompiler
{
    public static (byte[]? Image, IReadOnlyList<string> Errors) Compile(string code, string path)
    {
        var options = ScriptOptions.Default
            .WithFilePath(path)
            .WithFileEncoding(Encoding.UTF8)
            .AddReferences(
                typeof(ScriptGlobals).Assembly,
                typeof(ILogger).Assembly,
                typeof(LoggerExtensions).Assembly,
                typeof(JsonElement).Assembly)
            .AddImports(ScriptImports.Namespaces)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithEmitDebugInformation(false);
        var script = CSharpScript.Create(code, options, typeof(ScriptGlobals));
        var compilation = script.GetCompilation();
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var errors = result.Diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => Format(d, path))
            .ToList();
        if (!result.Success)
        {
            if (errors.Count == 0)
            {
                errors.Add($"{path}(1,1): error: the script did not compile");
            }

            return (null, errors);
        }

        return (image.ToArray(), []);
    }

    /// <summary><c>file(line,col): error CSxxxx: message</c>, as the C# compiler prints it.</summary>
    private static string Format(Diagnostic diagnostic, string path)
    {
        var span = diagnostic.Location.GetLineSpan();
        string file = string.IsNullOrEmpty(span.Path) ? path : span.Path;
        var start = span.StartLinePosition;
        return string.Create(CultureInfo.InvariantCulture, $"{file}({start.Line + 1},{start.Character + 1}): error {diagnostic.Id}: {diagnostic.GetMessage(CultureInfo.InvariantCulture)}");
    }
}
