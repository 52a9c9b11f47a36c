namespace IkeSharp.Cli.Tests;

/// <summary><c>ikesharp config check FILE</c> through the real command line.</summary>
public class ConfigCheckCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CommandLine.Run(args);

    private static string Examples()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "IkeSharp.slnx")))
            {
                return Path.Combine(d.FullName, "examples");
            }
        }

        throw new InvalidOperationException("IkeSharp.slnx not found");
    }

    private static string WriteTemp(string toml, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        string dir = Directory.CreateTempSubdirectory("ikesharp-cli-").FullName;
        string path = Path.Combine(dir, "site.toml");
        File.WriteAllText(path, toml);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    private const string Valid = """
        [connections.site-b]
        local_addrs = ["10.99.0.1"]
        remote_addrs = ["10.99.0.2"]
        proposals = ["aes128gcm16-prfsha256-x25519"]
        [connections.site-b.local]
        auth = "psk"
        id = "10.99.0.1"
        [connections.site-b.remote]
        auth = "psk"
        id = "10.99.0.2"
        [connections.site-b.children.net]
        local_ts = ["10.1.0.0/24"]
        remote_ts = ["10.2.0.0/24"]
        esp_proposals = ["aes128gcm16"]
        start_action = "start"
        [secrets.ike-site-b]
        id = ["10.99.0.1", "10.99.0.2"]
        secret = "0sv+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL6UqcCqZBJuA="
        """;

    [Fact]
    public void Valid_file_prints_a_summary_and_exits_0()
    {
        string path = WriteTemp(Valid);
        (int exit, string output, string error) = Run("config", "check", path);
        Assert.Equal(0, exit);
        Assert.Equal($"{path}: 1 connection(s), 1 child SA(s), 1 secret(s), OK\n", output.ReplaceLineEndings("\n"));
        Assert.Empty(error);
    }

    [Fact]
    public void Errors_are_printed_as_file_line_key_message_and_exit_1()
    {
        string broken = Valid
            .Replace("aes128gcm16-prfsha256-x25519", "aes128gcm17-prfsha256-x25519", StringComparison.Ordinal)
            .Replace("local_ts = [\"10.1.0.0/24\"]", "local_ts = [\"10.1.0.0/33\"]", StringComparison.Ordinal);
        string path = WriteTemp(broken);
        (int exit, string output, _) = Run("config", "check", path);
        Assert.Equal(1, exit);
        string[] lines = output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{path}:4: connections.site-b.proposals[0]: unknown algorithm 'aes128gcm17'", lines[0], StringComparison.Ordinal);
        Assert.Contains("did you mean aes128gcm16", lines[0], StringComparison.Ordinal);
        Assert.Equal($"{path}:12: connections.site-b.children.net.local_ts[0]: prefix length '33' in '10.1.0.0/33' is not a number from 0 to 32", lines[1]);
        Assert.Equal($"{path}: 2 error(s), 0 warning(s)", lines[2]);
    }

    [Fact]
    public void Toml_syntax_errors_exit_1_with_the_line()
    {
        string path = WriteTemp("[connections.a\nx = 1\n");
        (int exit, string output, _) = Run("config", "check", path);
        Assert.Equal(1, exit);
        Assert.StartsWith($"{path}:1: TOML: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreadable_file_exits_2()
    {
        (int exit, string output, string error) = Run("config", "check", "/nonexistent/dir/site.toml");
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("/nonexistent/dir/site.toml: cannot read the configuration", error, StringComparison.Ordinal);
    }

    [Fact]
    public void World_readable_secrets_warn_but_pass()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = WriteTemp(Valid, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        (int exit, string output, _) = Run("config", "check", path);
        Assert.Equal(0, exit);
        Assert.Contains($"{path}: warning: the file holds secrets but its mode 0604", output, StringComparison.Ordinal);
        Assert.Contains("1 warning(s), OK", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("site-to-site-psk.toml")]
    [InlineData("site-to-site-certs.toml")]
    [InlineData("cisco-style.toml")]
    public void Examples_check_ok(string name)
    {
        (int exit, string output, _) = Run("config", "check", Path.Combine(Examples(), name));
        Assert.Equal(0, exit);
        Assert.Contains("1 connection(s), 1 child SA(s), 1 secret(s)", output, StringComparison.Ordinal);
    }
}
