namespace TicketFunctions.Benchmarks;

/// <summary>The repository root: the first folder above the binaries that holds package.json.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    /// <summary>The build configuration of this harness (Release under npm run bench); the app is built alike.</summary>
    public static string Configuration { get; } = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "package.json")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No package.json above {AppContext.BaseDirectory}: cannot find the repository.");
    }
}
