using AnyClaude.Host.Plugins;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Host.Tests.Security;

/// <summary>Plugin and script folders other users can write to are reported at start-up.</summary>
public sealed class FolderPermissionsTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("anyclaude-perm-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void A_private_folder_gives_no_warning()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var plugins = _root.CreateSubdirectory("plugins");
        File.SetUnixFileMode(_root.FullName, Private);
        File.SetUnixFileMode(plugins.FullName, Private);

        FolderPermissions.WarnIfWritableByOthers(plugins.FullName, NullLogger.Instance).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(UnixFileMode.OtherWrite, "every user")]
    [InlineData(UnixFileMode.GroupWrite, "its group")]
    public void A_folder_writable_by_others_is_reported(UnixFileMode extra, string who)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var plugins = _root.CreateSubdirectory("plugins");
        File.SetUnixFileMode(_root.FullName, Private);
        File.SetUnixFileMode(plugins.FullName, Private | extra | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var logs = new CapturedLogs();
        var logger = logs.CreateLogger("test");

        var warning = FolderPermissions.WarnIfWritableByOthers(plugins.FullName, logger).ShouldHaveSingleItem();
        warning.ShouldContain(plugins.FullName);
        warning.ShouldContain(who);
        logs.Entries.ShouldContain(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains(plugins.FullName));
    }

    [Fact]
    public void A_writable_parent_is_reported_unless_it_has_the_sticky_bit()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var shared = _root.CreateSubdirectory("shared");
        var scripts = shared.CreateSubdirectory("scripts");
        File.SetUnixFileMode(_root.FullName, Private);
        File.SetUnixFileMode(scripts.FullName, Private);
        File.SetUnixFileMode(shared.FullName, Private | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);

        var warning = FolderPermissions.WarnIfWritableByOthers(scripts.FullName, NullLogger.Instance).ShouldHaveSingleItem();
        warning.ShouldContain($"{shared.FullName}, a parent of {scripts.FullName}");

        File.SetUnixFileMode(shared.FullName, Private | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit);
        FolderPermissions.WarnIfWritableByOthers(scripts.FullName, NullLogger.Instance).ShouldBeEmpty();
    }

    [Fact]
    public void A_missing_folder_is_not_reported() =>
        FolderPermissions.WarnIfWritableByOthers(Path.Combine(_root.FullName, "absent"), NullLogger.Instance).ShouldBeEmpty();
}
