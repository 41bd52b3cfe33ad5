namespace TokenBroker.Core.State;

/// <summary>Creates and checks files and directories that only the broker's user may read.</summary>
public static class PrivateFiles
{
    /// <summary>Mode 0600.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Mode 0700.</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Refuses a file that its group or other users can access, with the <c>chmod</c> that fixes it.
    /// </summary>
    /// <param name="path">The file to check.</param>
    /// <param name="what">What the file is, for the message ("master key file").</param>
    /// <exception cref="SetupException">The file is group- or world-accessible.</exception>
    public static void EnsurePrivate(string path, string what)
    {
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0)
        {
            throw new SetupException(
                $"{what} {path} is accessible by group or others (mode {Octal(mode)}); run: chmod 600 {path}");
        }
    }

    /// <summary>Creates <paramref name="path"/> (and parents) with mode 0700 if it does not exist.</summary>
    /// <returns>True if the directory was created.</returns>
    public static bool EnsureDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return false;
        }

        Directory.CreateDirectory(path, DirectoryMode);
        return true;
    }

    /// <summary>Opens a new file with mode 0600; fails if the file exists.</summary>
    public static FileStream CreateNew(string path) =>
        new(path, new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = FileMode,
        });

    /// <summary>A Unix mode as four octal digits, e.g. <c>0644</c>.</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8).PadLeft(3, '0');
}
