namespace IkeSharp.Daemon.Tests;

/// <summary>Paths in the repository, found by walking up from the test binaries to IkeSharp.slnx.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Examples => Path.Combine(Root, "examples");

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "IkeSharp.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("IkeSharp.slnx not found above " + AppContext.BaseDirectory);
    }
}
