using System.Text;
using IkeSharp.Core.Credentials;
using IkeSharp.Core.Engine;
using IkeSharp.Crypto;
using IkeSharp.Daemon.Config;

namespace IkeSharp.Fuzz;

/// <summary>
/// <c>config</c>: ConfigLoader.Load on the input as TOML text. Every problem must come back as a
/// ConfigError; relative paths (certificates, keys) resolve under a directory that does not exist.
/// </summary>
internal static class ConfigTarget
{
    private const string BaseDirectory = "/nonexistent/ikesharp-fuzz";

    public static void Run(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        ConfigLoadResult result = ConfigLoader.Load(text, "fuzz.toml", BaseDirectory);
        foreach (ConfigError error in result.Errors.Concat(result.Warnings))
        {
            _ = error.ToString();
        }

        if (result.IsSuccess)
        {
            // What the daemon does next: a configuration the loader accepted must start an engine.
            _ = result.Config!.ToString();
            using var engine = new IkeEngine(result.Config.Connections, new SharedKeyStore(), AlgorithmRegistry.Default, new DeterministicRandom(1));
        }
    }
}
