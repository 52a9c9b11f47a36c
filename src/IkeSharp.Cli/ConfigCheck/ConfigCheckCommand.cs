using IkeSharp.Daemon.Config;

namespace IkeSharp.Cli.ConfigCheck;

/// <summary>
/// <c>ikesharp config check FILE</c>: every error and warning as <c>FILE:LINE: KEY: message</c>,
/// then a one-line summary. Exit 0 when the file is valid, 1 when it has errors, 2 when it cannot be read.
/// </summary>
internal static class ConfigCheckCommand
{
    public const int Valid = 0;
    public const int Invalid = 1;
    public const int Unreadable = 2;

    public static int Run(string path, TextWriter stdout, TextWriter stderr)
    {
        ConfigLoadResult result = ConfigLoader.LoadFile(path);
        if (result.FileUnreadable)
        {
            foreach (ConfigError error in result.Errors)
            {
                stderr.WriteLine(error.ToString());
            }

            return Unreadable;
        }

        foreach (ConfigError error in result.Errors)
        {
            stdout.WriteLine(error.ToString());
        }

        foreach (ConfigError warning in result.Warnings)
        {
            stdout.WriteLine(warning with { Message = "warning: " + warning.Message });
        }

        if (result.Config is { } config && result.Errors.Count == 0)
        {
            int children = config.Connections.Sum(c => c.Children.Count);
            int secrets = config.Secrets.Count + config.PrivateKeys.Count;
            string warnings = result.Warnings.Count > 0 ? $", {result.Warnings.Count} warning(s)" : string.Empty;
            stdout.WriteLine($"{path}: {config.Connections.Count} connection(s), {children} child SA(s), {secrets} secret(s){warnings}, OK");
            return Valid;
        }

        stdout.WriteLine($"{path}: {result.Errors.Count} error(s), {result.Warnings.Count} warning(s)");
        return Invalid;
    }
}
