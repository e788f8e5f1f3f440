using System.Globalization;
using System.Text;

namespace AnyClaude.LoadBench;

/// <summary>
/// What the proxy's memory is made of (docs/benchmarks.md §9, issue 23 point 3), read from /proc only (no dotnet-counters
/// offline): each configuration is started against the fast fake backend, read 0.5 s after it answers (what
/// <c>run</c> calls RSS idle) and after <c>--idle-seconds</c>, then loaded (text at C=16) and read again.
/// Configurations: the current build; the same with <c>healthCheckSeconds</c> 0 (no background health checks); the same
/// with only the mode's plugin in <c>plugins/</c> (a copy of the build folder: the cost of loading every default plugin at
/// start); and <c>--baseline PATH</c> (another build). Per configuration: RSS, its anonymous (GC heap, native heaps),
/// file-backed (mapped assemblies and libraries) and shared parts (the runtime's double-mapped JIT code), threads,
/// assemblies mapped; and per mapped assembly its resident size, to list what the current build loads at idle that the
/// baseline does not.
/// </summary>
internal static class MemoryExperiment
{
    private sealed record Snapshot(IReadOnlyDictionary<string, double> Status, IReadOnlyDictionary<string, long> FilesKb)
    {
        public double MiB(string field) => Status.TryGetValue(field, out var kb) ? kb / 1024 : double.NaN;

        public int Assemblies => FilesKb.Keys.Count(f => f.EndsWith(".dll", StringComparison.Ordinal));
    }

    private sealed record Result(string Name, Snapshot Start, Snapshot Idle, Snapshot Loaded, int Requests, double CpuMsPerRequest);

    public static async Task<int> RunAsync(Options options)
    {
        var idle = TimeSpan.FromSeconds(options.Double("idle-seconds", 3));
        var load = TimeSpan.FromSeconds(options.Double("load-seconds", 4));
        string cpu = options.String("proxy-cpu", "1");
        await using var openAI = await FakeServers.StartOpenAIAsync();
        var backend = new Uri($"http://127.0.0.1:{openAI.Port()}");
        // --anyclaude PATH measures another build as the current one (e.g. main's, built by bench/baseline.sh).
        string current = options.String("anyclaude", "") is { Length: > 0 } other ? other : Paths.AnyClaude();
        string onePlugin = OnlyPlugin(current, options.String("plugin", "MlxLm"));
        try
        {
            var configurations = new List<(string Name, string Executable, Dictionary<string, string> Environment)>();
            if (options.String("baseline", "") is { Length: > 0 } baseline)
            {
                configurations.Add(("baseline", baseline, []));
            }

            configurations.Add(("anyclaude", current, []));
            configurations.Add(("anyclaude, healthCheckSeconds 0", current, new() { ["ANYCLAUDE_HEALTHCHECKSECONDS"] = "0" }));
            configurations.Add(($"anyclaude, only {options.String("plugin", "MlxLm")} in plugins/", onePlugin, []));
            foreach (var (key, value) in options.Pairs("env"))
            {
                configurations.Add(($"anyclaude, {key}={value}", current, new() { [key] = value }));
            }

            var results = new List<Result>();
            byte[] body = LoadGenerator.RequestBody(tool: false);
            foreach (var (name, executable, environment) in configurations)
            {
                await using var proxy = await ProxyProcess.StartAnyClaudeAsync(executable, backend, cpu, environment);
                await Task.Delay(500);
                var start = Read(proxy.Pid);
                await Task.Delay(idle - TimeSpan.FromMilliseconds(500));
                var atIdle = Read(proxy.Pid);
                using var generator = new LoadGenerator(proxy.BaseUrl, 16);
                double cpuBefore = proxy.CpuMs();
                var outcome = await generator.RunAsync(body, false, 16, load, 50_000);
                double cpuPerRequest = (proxy.CpuMs() - cpuBefore) / Math.Max(1, outcome.Requests);
                var loaded = Read(proxy.Pid);
                results.Add(new Result(name, start, atIdle, loaded, outcome.Requests, cpuPerRequest));
                Console.WriteLine($"{name,-40} RSS {start.MiB("VmRSS"),6:F1} MiB at 0.5 s, {atIdle.MiB("VmRSS"),6:F1} idle, {loaded.MiB("VmRSS"),6:F1} after {outcome.Requests} requests, peak {loaded.MiB("VmHWM"),6:F1}; {atIdle.Assemblies} assemblies at idle, {loaded.Assemblies} after load");
            }

            string report = Report(results, idle, load);
            Console.WriteLine();
            Console.WriteLine(report);
            if (options.String("out", "") is { Length: > 0 } outFile)
            {
                File.WriteAllText(outFile, report);
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(onePlugin)!, recursive: true);
        }

        return 0;
    }

    private static string Report(List<Result> results, TimeSpan idle, TimeSpan load)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"RSS read from /proc/PID/status and smaps: 0.5 s after /health/live answers, after {idle.TotalSeconds:0} s idle, and after {load.TotalSeconds:0} s of text at C=16 against the fast fake backend; load average {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}.");
        text.AppendLine();
        text.Append(Markdown.Table(
            ["configuration", "RSS at 0.5 s", "RSS idle", "anon / file / shmem idle", "threads idle", "assemblies idle / after load", "RSS after load", "anon / file / shmem after load", "RSS peak", "CPU per request (C=16)"],
            results.Select(r => (IReadOnlyList<string>)[
                r.Name,
                $"{r.Start.MiB("VmRSS"):F1} MiB",
                $"{r.Idle.MiB("VmRSS"):F1} MiB",
                $"{r.Idle.MiB("RssAnon"):F1} / {r.Idle.MiB("RssFile"):F1} / {r.Idle.MiB("RssShmem"):F1}",
                $"{r.Idle.Status.GetValueOrDefault("Threads"):F0}",
                $"{r.Idle.Assemblies} / {r.Loaded.Assemblies}",
                $"{r.Loaded.MiB("VmRSS"):F1} MiB",
                $"{r.Loaded.MiB("RssAnon"):F1} / {r.Loaded.MiB("RssFile"):F1} / {r.Loaded.MiB("RssShmem"):F1}",
                $"{r.Loaded.MiB("VmHWM"):F1} MiB",
                $"{r.CpuMsPerRequest:F2} ms"])));
        var current = results.Single(r => r.Name == "anyclaude");
        if (results.FirstOrDefault(r => r.Name == "baseline") is { } baseline)
        {
            text.AppendLine();
            text.AppendLine("Mapped at idle (resident kB), largest growth over the baseline first; the sum of every file's growth is the file-backed part of the difference:");
            text.AppendLine();
            var growth = current.Idle.FilesKb
                .Select(f => (File: f.Key, Now: f.Value, Before: baseline.Idle.FilesKb.GetValueOrDefault(f.Key, SameName(baseline.Idle.FilesKb, f.Key))))
                .Where(f => f.Now - f.Before >= 32)
                .OrderByDescending(f => f.Now - f.Before)
                .ToList();
            text.Append(Markdown.Table(
                ["file", "baseline", "anyclaude", "growth"],
                growth.Take(40).Select(f => (IReadOnlyList<string>)[Short(f.File), f.Before == 0 ? "not loaded" : $"{f.Before}", $"{f.Now}", $"+{f.Now - f.Before}"])));
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Files mapped only by anyclaude at idle: {growth.Count(f => f.Before == 0)}, {growth.Where(f => f.Before == 0).Sum(f => f.Now) / 1024.0:F1} MiB resident; growth of files both map: {growth.Where(f => f.Before > 0).Sum(f => f.Now - f.Before) / 1024.0:F1} MiB.");
        }

        text.AppendLine();
        text.AppendLine("Assemblies the current build maps only once requests arrive (not at idle):");
        text.AppendLine();
        text.AppendLine(string.Join(", ", current.Loaded.FilesKb.Keys.Where(f => f.EndsWith(".dll", StringComparison.Ordinal) && !current.Idle.FilesKb.ContainsKey(f)).Select(Short).Order()) is { Length: > 0 } later ? later : "(none)");
        return text.ToString();
    }

    /// <summary>The same assembly in another build's folder (the app's own files differ by path, the framework's do not).</summary>
    private static long SameName(IReadOnlyDictionary<string, long> files, string path) =>
        files.Where(f => Path.GetFileName(f.Key) == Path.GetFileName(path)).Select(f => f.Value).FirstOrDefault();

    private static string Short(string path) => path.Contains("/plugins/", StringComparison.Ordinal)
        ? "plugins/" + path[(path.IndexOf("/plugins/", StringComparison.Ordinal) + 9)..]
        : path.Contains("/shared/", StringComparison.Ordinal) ? Path.GetFileName(path) + " (framework)" : Path.GetFileName(path);

    private static Snapshot Read(int pid)
    {
        var status = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            var parts = line.Split(':', 2);
            if (parts.Length == 2 && parts[0] is "VmRSS" or "VmHWM" or "RssAnon" or "RssFile" or "RssShmem" or "Threads")
            {
                status[parts[0]] = double.Parse(parts[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        // smaps: a mapping's header line ends with its file; its Rss line follows.
        var files = new Dictionary<string, long>(StringComparer.Ordinal);
        string? file = null;
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            string first = line.Split(' ', 2)[0];
            if (first.Contains('-', StringComparison.Ordinal) && first.All(c => c == '-' || char.IsAsciiHexDigit(c)))
            {
                var header = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                file = header.Length >= 6 && (header[5].EndsWith(".dll", StringComparison.Ordinal) || header[5].Contains(".so", StringComparison.Ordinal)) ? header[5] : null;
            }
            else if (file is not null && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                files[file] = files.GetValueOrDefault(file) + long.Parse(line[4..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return new Snapshot(status, files);
    }

    /// <summary>A copy of the build folder whose <c>plugins/</c> holds only <paramref name="plugin"/>; returns its executable.</summary>
    private static string OnlyPlugin(string executable, string plugin)
    {
        string source = Path.GetDirectoryName(executable)!;
        string copy = Directory.CreateTempSubdirectory("anyclaude-one-plugin-").FullName;
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("plugins" + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !relative.StartsWith(Path.Combine("plugins", plugin) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            string target = Path.Combine(copy, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target); // keeps the mode on Unix: the executable stays executable
        }

        return Path.Combine(copy, Path.GetFileName(executable));
    }
}
