using System.Runtime.InteropServices;
using AnyClaude.Abstractions.Plugins;
using AnyClaude.OpenAICompat.Backends;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.Docs;

/// <summary>
/// Compiles plugin source files with Roslyn into <c>&lt;folder&gt;/&lt;Name&gt;.dll</c>, the way the doc's project file
/// builds them (<c>Microsoft.NET.Sdk</c> class library, net10.0, implicit usings, nullable, version 1.0.0), against the
/// contract assemblies the host itself runs with. In process: a fraction of a <c>dotnet build</c>.
/// </summary>
internal static class PluginSampleCompiler
{
    // What Microsoft.NET.Sdk's ImplicitUsings adds to a class library.
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    // What the SDK's generated AssemblyInfo says for a project without <Version>.
    private const string AssemblyInfo = """
        [assembly: System.Reflection.AssemblyVersion("1.0.0.0")]
        [assembly: System.Reflection.AssemblyFileVersion("1.0.0.0")]
        [assembly: System.Reflection.AssemblyInformationalVersion("1.0.0")]
        """;

    /// <summary>Returns the DLL's path; throws with every error and warning (file:line: id: message) if the code is not clean.</summary>
    public static string Build(string name, IEnumerable<(string Path, string Code)> sources, string folder)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[] { ("ImplicitUsings.g.cs", ImplicitUsings), ("AssemblyInfo.g.cs", AssemblyInfo) }
            .Concat(sources)
            .Select(s => CSharpSyntaxTree.ParseText(s.Item2, parse, s.Item1))
            .ToList();
        var compilation = CSharpCompilation.Create(
            name,
            trees,
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));

        Directory.CreateDirectory(folder);
        string dll = Path.Combine(folder, name + ".dll");
        using (var output = File.Create(dll))
        {
            var result = compilation.Emit(output);
            var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            if (!result.Success || problems.Count > 0)
            {
                throw new ShouldAssertException($"the plugin sample {name} does not compile cleanly:\n" +
                    string.Join('\n', problems.Select(d => d.ToString())));
            }
        }

        return dll;
    }

    private static IEnumerable<MetadataReference> References()
    {
        string runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => string.Equals(Path.GetDirectoryName(p) + Path.DirectorySeparatorChar, runtime, StringComparison.Ordinal));
        var contracts = new[] { typeof(IAnyClaudePlugin).Assembly.Location, typeof(OpenAICompatibleBackend).Assembly.Location, typeof(ILogger).Assembly.Location };
        return framework.Concat(contracts).Distinct(StringComparer.Ordinal).Select(p => MetadataReference.CreateFromFile(p));
    }
}
