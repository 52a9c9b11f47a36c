namespace IkeSharp.Daemon.Config;

/// <summary>
/// One problem in a configuration file: where (file, 1-based line and column; line 0 when it
/// concerns the file as a whole), which key (a dotted path such as
/// <c>connections.site-b.children.net.local_ts[0]</c>, empty when there is none) and what is wrong
/// and what would be valid.
/// </summary>
public sealed record ConfigError(string File, int Line, int Column, string Key, string Message)
{
    /// <summary><c>FILE:LINE: KEY: message</c>, leaving out what is unknown.</summary>
    public override string ToString()
    {
        string where = Line > 0 ? $"{File}:{Line}" : File;
        return Key.Length > 0 ? $"{where}: {Key}: {Message}" : $"{where}: {Message}";
    }
}

/// <summary>What loading a configuration gave: the configuration when there were no errors, and every error and warning found.</summary>
public sealed record ConfigLoadResult(IkeSharpConfig? Config, IReadOnlyList<ConfigError> Errors, IReadOnlyList<ConfigError> Warnings)
{
    /// <summary>True when the file itself could not be read (missing, no permission); <see cref="Errors"/> says why.</summary>
    public bool FileUnreadable { get; init; }

    public bool IsSuccess => Config is not null && Errors.Count == 0;
}
