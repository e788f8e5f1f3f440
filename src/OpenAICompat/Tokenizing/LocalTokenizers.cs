using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Tokenizers;

namespace AnyClaude.OpenAICompat.Tokenizing;

/// <summary>
/// The model tokenizers read from folders on this machine, each folder read once (on a worker thread, started when the
/// backend is first asked what it is, so the first count rarely waits for it). A folder whose files cannot be read is
/// one warning and no tokenizer: its counts stay estimates until anyclaude restarts.
/// </summary>
internal static class LocalTokenizers
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<Tokenizer?>>> Folders =
        new(OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);

    public static Task<Tokenizer?> GetAsync(string folder, string backend, ILogger logger)
    {
        string full = Path.GetFullPath(ExpandHome(folder));
        return Folders.GetOrAdd(full, path => new Lazy<Task<Tokenizer?>>(() => Task.Run(() => Load(path, backend, logger)))).Value;
    }

    private static Tokenizer? Load(string folder, string backend, ILogger logger)
    {
        if (!Directory.Exists(folder) || !ModelTokenizerFiles.HasAny(folder))
        {
            logger.LogWarning("backend {Backend}: no tokenizer files (tokenizer.json, tokenizer.model or vocab.json + merges.txt) in {Folder}; token counts are estimates", backend, folder);
            return null;
        }

        var watch = Stopwatch.StartNew();
        try
        {
            var tokenizer = ModelTokenizerFiles.Load(folder);
            logger.LogInformation("backend {Backend}: counting tokens with the model's tokenizer in {Folder} ({Type}, read in {Milliseconds} ms)", backend, folder, tokenizer.GetType().Name, watch.ElapsedMilliseconds);
            return tokenizer;
        }
#pragma warning disable CA1031 // Whatever is wrong with the files (format, I/O, a tokenizer the library rejects), counting falls back to the estimate.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            logger.LogWarning("backend {Backend}: cannot read the tokenizer in {Folder} ({Error}); token counts are estimates", backend, folder, exception.Message);
            return null;
        }
    }

    private static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
