using System.Reflection;

namespace TokenBroker.TestUtils;

/// <summary>
/// The built <c>tokenbrokerd</c> and <c>tokenbroker</c> assemblies, as recorded in each test
/// assembly's metadata by tests/Directory.Build.props. A test project that runs one must reference
/// its project so that it is built first.
/// </summary>
public static class BuiltPrograms
{
    public static string Daemon => Find("tokenbrokerd");

    public static string Cli => Find("tokenbroker");

    /// <summary>The AFL target for the socketmap codec (tests/TokenBroker.Fuzz).</summary>
    public static string Fuzz => Find("tokenbroker-fuzz");

    /// <summary>The repository's top directory, for files that are not built by dotnet (contrib/, systemd/).</summary>
    public static string Repository => Metadata("repository") ?? throw new InvalidOperationException("no repository path in the assembly metadata");

    private static string? Metadata(string key) =>
        AppDomain.CurrentDomain.GetAssemblies()
            .SelectMany(a => a.GetCustomAttributes<AssemblyMetadataAttribute>())
            .FirstOrDefault(a => a.Key == key)?.Value;

    private static string Find(string name)
    {
        var path = Metadata(name);
        return path is not null && File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{name}.dll is not built (looked for {path ?? "assembly metadata"}); reference its project from the test project");
    }
}
