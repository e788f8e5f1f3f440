using AnyClaude.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/AnyClaude.Benchmarks -- --job short --filter '*'   (micro-benchmarks)
// dotnet run -c Release --project bench/AnyClaude.Benchmarks -- startup [runs] [anyclaude] (start-up, cold vs warm script cache)
if (args is ["startup", ..])
{
    return await StartupTiming.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5,
        args.Length > 2 ? args[2] : null);
}

// dotnet run -c Release --project bench/AnyClaude.Benchmarks -- parser-ab [rounds]  (text tool-call parser off vs on, alternating)
if (args is ["parser-ab", ..])
{
    return await ParserAlternation.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30_000);
}

BenchmarkSwitcher.FromAssembly(typeof(PipelineBenchmarks).Assembly).Run(args);
return 0;
