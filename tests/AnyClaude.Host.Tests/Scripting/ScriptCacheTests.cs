using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Scripting;
using AnyClaude.Host.Scripting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Host.Tests.Scripting;

/// <summary>A script is compiled once per content: later starts load the cached assembly, a change compiles again.</summary>
public sealed class ScriptCacheTests : IDisposable
{
    private readonly ScriptFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static async Task<string> RunAsync(LoadedScript script)
    {
        var request = new MessagesRequest { Model = "before" };
        var globals = new ScriptGlobals(request, new ScriptBackend("mlx-lm", "mlx-lm", new BackendCapabilities()), NullLogger.Instance);
        await script.Entry!([globals, null]);
        return request.Model;
    }

    [Fact]
    public async Task The_first_start_compiles_and_writes_the_cache_and_the_second_start_loads_it_without_compiling()
    {
        _folder.Write("model.csx", """Request.Model = "v1";""");

        var first = _folder.Load();
        var compiled = first.Scripts.ShouldHaveSingleItem();
        compiled.FromCache.ShouldBeFalse();
        first.CompiledCount.ShouldBe(1);
        File.Exists(compiled.CachePath).ShouldBeTrue();
        Path.GetDirectoryName(compiled.CachePath).ShouldBe(_folder.Cache);
        Path.GetFileNameWithoutExtension(compiled.CachePath)!.ShouldMatch("^[0-9a-f]{64}$");
        var written = File.GetLastWriteTimeUtc(compiled.CachePath!);
        (await RunAsync(compiled)).ShouldBe("v1");

        var second = _folder.Load();
        var cached = second.Scripts.ShouldHaveSingleItem();
        cached.FromCache.ShouldBeTrue();
        second.CompiledCount.ShouldBe(0);
        cached.CachePath.ShouldBe(compiled.CachePath);
        File.GetLastWriteTimeUtc(cached.CachePath!).ShouldBe(written);
        (await RunAsync(cached)).ShouldBe("v1");
    }

    [Fact]
    public async Task A_changed_script_is_compiled_again_under_a_new_hash()
    {
        _folder.Write("model.csx", """Request.Model = "v1";""");
        var first = _folder.Load().Scripts.Single();

        _folder.Write("model.csx", """Request.Model = "v2";""");
        var changed = _folder.Load();

        var script = changed.Scripts.Single();
        script.FromCache.ShouldBeFalse();
        changed.CompiledCount.ShouldBe(1);
        script.CachePath.ShouldNotBe(first.CachePath);
        (await RunAsync(script)).ShouldBe("v2");
        _folder.Load().Scripts.Single().FromCache.ShouldBeTrue();
    }

    [Fact]
    public async Task A_damaged_cache_file_is_replaced_by_a_fresh_compile()
    {
        _folder.Write("model.csx", """Request.Model = "v1";""");
        var first = _folder.Load().Scripts.Single();
        File.WriteAllText(first.CachePath!, "not an assembly");

        var again = _folder.Load().Scripts.Single();

        again.FromCache.ShouldBeFalse();
        (await RunAsync(again)).ShouldBe("v1");
        _folder.Load().Scripts.Single().FromCache.ShouldBeTrue();
    }

    [Fact]
    public void A_script_that_does_not_compile_is_not_cached_and_only_top_level_csx_files_are_scripts()
    {
        _folder.Write("bad.csx", "this is not C#");
        Directory.CreateDirectory(Path.Combine(_folder.Scripts, "samples"));
        File.WriteAllText(Path.Combine(_folder.Scripts, "samples", "nested.csx"), """Request.Model = "nested";""");
        File.WriteAllText(Path.Combine(_folder.Scripts, "disabled.csx.sample"), """Request.Model = "disabled";""");

        var set = _folder.Load();

        set.Scripts.Select(s => s.Name).ShouldBe(["bad.csx"]);
        set.Errors.ShouldNotBeEmpty();
        set.Errors.ShouldAllBe(e => e.Contains("bad.csx(1,") && e.Contains(": error CS"));
        Directory.EnumerateFiles(_folder.Cache).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("// backends: mlx-lm, lmstudio\nRequest.Model = \"x\";", "mlx-lm,lmstudio")]
    [InlineData("\n// Trims things.\n//backends:llama\nRequest.Model = \"x\";", "llama")]
    [InlineData("Request.Model = \"x\";\n// backends: mlx-lm", null)]
    [InlineData("// no directive here\nRequest.Model = \"x\";", null)]
    public void The_backends_directive_is_read_from_the_leading_comment_lines(string code, string? expected)
    {
        var backends = ScriptLoader.ParseBackends(code);

        if (expected is null)
        {
            backends.ShouldBeNull();
        }
        else
        {
            backends.ShouldNotBeNull().OrderBy(b => b).ShouldBe(expected.Split(',').OrderBy(b => b));
        }
    }
}
