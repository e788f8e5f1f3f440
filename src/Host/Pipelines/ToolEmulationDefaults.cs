



using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Pipelines;

/// <summary>With <c>toolEmulation</c> set, the default request pipeline emulates tools where it would clean their schemas or strip them.</summary>
internal static class ToolEmulationDefaults
{
    public static IReadOnlyList<string> Apply(IReadOnlyList<string> defaults, BackendOptions? settings) =>
        settings?.Responses.ToolEmulation is null
            ? defaults
            : [.. defaults.Select(name => name is TransformCatalog.CleanSchema or TransformCatalog.StripTools ? TransformCatalog.EmulateTools : name)];
}
