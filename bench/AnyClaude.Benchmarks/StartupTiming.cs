using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace AnyClaude.Benchmarks;

/// <summary>
/// Start-up time of <c>anyclaude --proxy-only --port 0</c> to its first answered <c>GET /health/live</c>:
/// without scripts, with two scripts and a cold compile cache (emptied before each run), and with the same two
/// scripts and a warm cache. Prints the median of N runs of each.
/// </summary>
internal static class StartupTiming
{
    /// <param name="executable">Another build to time (e.g. a ReadyToRun publish); the Release build by default.</param>
    public static async Task<int> RunAsync(int runs, string? executable = null)
    {
        executable ??= AnyClaudeExecutable();
        string scratch = Path.Combine(Path.GetTempPath(), "anyclaude-startup-" + Guid.NewGuid().ToString("N"));
        string none = Directory.CreateDirectory(Path.Combine(scratch, "no-scripts")).FullName;
        string scripts = Directory.CreateDirectory(Path.Combine(scratch, "scripts")).FullName;
        string cache = Path.Combine(scratch, "cache");
        string samples = Path.Combine(Path.GetDirectoryName(executable)!, "scripts", "samples");
        File.Copy(Path.Combine(samples, "trim-system-prompt.csx"), Path.Combine(scripts, "trim-system-prompt.csx"));
        File.Copy(Path.Combine(samples, "strip-tools.csx"), Path.Combine(scripts, "strip-tools.csx"));
        try
        {
            Console.WriteLine($"anyclaude: {executable}; {runs} runs each; median (min–max) in ms to the first /health/live answer");
            await MeasureAsync("no scripts", runs, () => StartOnceAsync(executable, none, cache));
            await MeasureAsync("2 scripts, cold cache", runs, () =>
            {
                if (Directory.Exists(cache))
                {
                    Directory.Delete(cache, recursive: true);
                }

                return StartOnceAsync(executable, scripts, cache);
            });
            await StartOnceAsync(executable, scripts, cache); // make sure the cache is warm
            await MeasureAsync("2 scripts, warm cache", runs, () => StartOnceAsync(executable, scripts, cache));
            return 0;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static async Task MeasureAsync(string label, int runs, Func<Task<double>> once)
    {
        await once(); // one unmeasured run: disk cache, JIT of the runtime itself
        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            times.Add(await once());
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-24} median {times[times.Count / 2],7:F0} ms   ({times[0]:F0}–{times[^1]:F0})"));
    }

    private static async Task<double> StartOnceAsync(string executable, string scriptsDirectory, string cacheDirectory)
    {
        var start = new ProcessStartInfo(executable, ["--proxy-only", "--port", "0", "--scripts", scriptsDirectory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ANYCLAUDE_SCRIPTCACHEDIRECTORY"] = cacheDirectory;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            string? baseUrl = null;
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("export ANTHROPIC_BASE_URL=", StringComparison.Ordinal))
                {
                    baseUrl = line["export ANTHROPIC_BASE_URL=".Length..];
                    break;
                }
            }

            if (baseUrl is null)
            {
                throw new InvalidOperationException($"anyclaude did not start: {await errors}");
            }

            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync("/health/live");
                    if (response.IsSuccessStatusCode)
                    {
                        return clock.Elapsed.TotalMilliseconds;
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(5);
            }
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    private static string AnyClaudeExecutable()
    {
        string configuration = typeof(StartupTiming).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AnyClaude.Extensible.sln")))
            {
                string path = Path.Combine(directory.FullName, "src", "Host", "bin", configuration, "net10.0", OperatingSystem.IsWindows() ? "anyclaude.exe" : "anyclaude");
                return File.Exists(path) ? path : throw new FileNotFoundException($"build the host first: {path}");
            }
        }

        throw new InvalidOperationException("no AnyClaude.Extensible.sln above the benchmark");
    }
}
