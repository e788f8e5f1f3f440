namespace AnyClaude.Host.Scripting;

/// <summary>Namespaces every script can use without <c>using</c> (part of the cache key).</summary>
internal static class ScriptImports
{
    public static readonly string[] Namespaces =
    [
        "System",
        "System.Collections.Generic",
        "System.Linq",
        "System.Text",
        "System.Text.Json",
        "System.Threading",
        "System.Threading.Tasks",
        "AnyClaude.Abstractions.Backends",
        "AnyClaude.Abstractions.Errors",
        "AnyClaude.Abstractions.Messages",
        "Microsoft.Extensions.Logging",
    ];
}
