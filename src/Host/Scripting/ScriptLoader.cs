using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text;
using AnyClaude.Abstractions.Scripting;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Scripting;

/// <summary>
/// Finds the <c>*.csx</c> files directly in the script folders (not in sub-folders, so <c>scripts/samples/</c>
/// never runs by itself), compiles each once and caches the assembly on disk as <c>&lt;sha256&gt;.dll</c>, keyed by
/// the file's content and the contract it was compiled against. A restart with unchanged scripts loads the cached
/// assemblies without running the compiler; a changed file has a new hash and is compiled again.
/// </summary>
internal static class ScriptLoader
{
    /// <summary>Bump when the compile options or the globals contract change in a way the cache key does not see.</summary>
    private const string CacheFormat = "anyclaude-script-cache-1";

    private const string Directive = "backends:";

    public static ScriptSet Load(IEnumerable<string> directories, string cacheDirectory)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var warnings = new List<string>();
        foreach (string directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (string path in Directory.EnumerateFiles(directory, "*.csx", SearchOption.TopDirectoryOnly))
            {
                string name = System.IO.Path.GetFileName(path);
                if (files.TryGetValue(name, out string? first))
                {
                    warnings.Add($"{path}: ignored, a script named '{name}' was found first at {first}");
                    continue;
                }

                files[name] = path;
            }
        }

        var scripts = new List<LoadedScript>();
        var errors = new List<string>();
        foreach (var (name, path) in files)
        {
            scripts.Add(LoadOne(name, path, cacheDirectory, errors, warnings));
        }

        return new ScriptSet(scripts, errors, warnings);
    }

    private static LoadedScript LoadOne(string name, string path, string cacheDirectory, List<string> errors, List<string> warnings)
    {
        byte[] bytes = File.ReadAllBytes(path);
        string code = new UTF8Encoding(false).GetString(bytes);
        var backends = ParseBackends(code);
        string cachePath = System.IO.Path.Combine(cacheDirectory, CacheKey(bytes) + ".dll");
        byte[]? image = null;
        bool fromCache = false;
        if (File.Exists(cachePath))
        {
            try
            {
                image = File.ReadAllBytes(cachePath);
                fromCache = true;
            }
            catch (IOException)
            {
                image = null;
            }
        }

        if (image is null)
        {
            var (compiled, compileErrors) = ScriptCompiler.Compile(code, path);
            if (compiled is null)
            {
                errors.AddRange(compileErrors);
                return new LoadedScript { Name = name, Path = path, Backends = backends };
            }

            image = compiled;
            TryWriteCache(cachePath, image, warnings);
        }

        try
        {
            return new LoadedScript
            {
                Name = name,
                Path = path,
                Backends = backends,
                Entry = LoadEntry(name, image),
                FromCache = fromCache,
                CachePath = cachePath,
            };
        }
        catch (Exception exception) when (fromCache && exception is BadImageFormatException or TypeLoadException or MissingMethodException or FileLoadException)
        {
            // A damaged or stale cache file: compile again and replace it.
            File.Delete(cachePath);
            return LoadOne(name, path, cacheDirectory, errors, warnings);
        }
    }

    /// <summary>The script's <c>// backends: a, b</c> line among its leading comment lines; null when it has none.</summary>
    public static IReadOnlySet<string>? ParseBackends(string code)
    {
        using var reader = new StringReader(code);
        while (reader.ReadLine() is { } line)
        {
            string trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            if (!trimmed.StartsWith("//", StringComparison.Ordinal))
            {
                return null;
            }

            string comment = trimmed[2..].Trim();
            if (comment.StartsWith(Directive, StringComparison.OrdinalIgnoreCase))
            {
                return comment[Directive.Length..]
                    .Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .ToHashSet(StringComparer.OrdinalIgnoreCase);
            }
        }

        return null;
    }

    private static string CacheKey(byte[] source)
    {
        var contract = typeof(ScriptGlobals).Assembly;
        string context = string.Join('\n',
            CacheFormat,
            contract.ManifestModule.ModuleVersionId.ToString(),
            typeof(ILogger).Assembly.GetName().Version?.ToString(),
            Environment.Version.ToString(),
            string.Join(',', ScriptImports.Namespaces));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(context + "\n"));
        hash.AppendData(source);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void TryWriteCache(string cachePath, byte[] image, List<string> warnings)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(cachePath)!);
            string temporary = $"{cachePath}.{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temporary, image);
            File.Move(temporary, cachePath, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            warnings.Add($"{cachePath}: cannot cache the compiled script ({exception.Message}); it will be compiled again next start");
        }
    }

    /// <summary>Loads the submission into its own collectible context and returns its factory.</summary>
    private static Func<object?[], Task<object>> LoadEntry(string name, byte[] image)
    {
        var context = new AssemblyLoadContext($"script:{name}", isCollectible: true);
        var assembly = context.LoadFromStream(new MemoryStream(image, writable: false));
        var type = assembly.GetType("Submission#0", throwOnError: true)!;
        var factory = type.GetMethod("<Factory>", BindingFlags.Public | BindingFlags.Static)
            ?? throw new MissingMethodException("Submission#0", "<Factory>");
        return factory.CreateDelegate<Func<object?[], Task<object>>>();
    }
}
