namespace AnyClaude.Host.Configuration;

/// <summary>
/// Whether two configured backends are the same for a reload: record equality for every scalar setting (so a setting
/// added later is compared too), element by element for the lists and the extra settings, which records compare by reference.
/// </summary>
internal static class BackendSettingsComparer
{
    private static readonly IReadOnlyList<string> NoList = [];
    private static readonly IReadOnlyList<Uri> NoUrls = [];
    private static readonly IReadOnlyDictionary<string, string?> NoExtra = new Dictionary<string, string?>();

    public static bool Same(BackendOptions a, BackendOptions b) =>
        WithoutCollections(a) == WithoutCollections(b)
        && (a.Transforms ?? NoList).SequenceEqual(b.Transforms ?? NoList, StringComparer.Ordinal)
        && (a.Transforms is null) == (b.Transforms is null)
        && a.Urls.SequenceEqual(b.Urls)
        && a.CleanSchemaKeywords.SequenceEqual(b.CleanSchemaKeywords, StringComparer.Ordinal)
        && a.Extra.Count == b.Extra.Count
        && a.Extra.All(pair => b.Extra.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private static BackendOptions WithoutCollections(BackendOptions options) =>
        options with { Transforms = null, CleanSchemaKeywords = NoList, Extra = NoExtra, Urls = NoUrls };
}
