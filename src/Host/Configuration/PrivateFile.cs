namespace AnyClaude.Host.Configuration;

/// <summary>Files anyclaude keeps in the user's folder (<c>~/.anyclaude</c>): readable and writable by the user alone.</summary>
internal static class PrivateFile
{
    private const UnixFileMode UserOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode UserOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> (its folder created as needed), replacing the file whole.</summary>
    public static void Write(string path, string text)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UserOnlyFolder);
        }

        // Written beside it and renamed over it: a reader never sees half a file.
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UserOnlyFile;
        }

        using (var writer = new StreamWriter(temporary, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options))
        {
            writer.Write(text);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
