using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IkeSharp.Core.Credentials;
using IkeSharp.Crypto.Auth;
using IkeSharp.Daemon.Config;
using IkeSharp.Daemon.Hosting;

namespace IkeSharp.Daemon.Tests;

/// <summary>
/// remote.crls (docs/config.md): CRL files are checked when the config is read, loaded into the
/// credential store, and refuse the certificates they list when a peer's chain is validated
/// (RFC 5280 §6.3).
/// </summary>
public sealed class RevocationConfigTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("ikesharp-crl-").FullName;
    private readonly ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 ca;

    public RevocationConfigTests()
    {
        var request = new CertificateRequest("CN=CRL test CA", caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(Path.Combine(dir, "ca.pem"), ca.ExportCertificatePem());
    }

    private X509Certificate2 Leaf(string name, byte serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        return request.Create(ca, DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(10), [serial]);
    }

    private string Crl(string file, params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (X509Certificate2 c in revoked)
        {
            builder.AddEntry(c, DateTimeOffset.UtcNow.AddDays(-1), X509RevocationReason.KeyCompromise);
        }

        byte[] der = builder.Build(ca, 1, DateTimeOffset.UtcNow.AddDays(7), HashAlgorithmName.SHA256, thisUpdate: DateTimeOffset.UtcNow.AddMinutes(-5));
        File.WriteAllText(Path.Combine(dir, file), PemEncoding.WriteString("X509 CRL", der));
        return Path.Combine(dir, file);
    }

    private string Config(string remoteExtra)
    {
        string certs = Path.Combine(Repo.Examples, "certs");
        string path = Path.Combine(dir, "site.toml");
        File.WriteAllText(path, $$"""
            [connections.moon]
            remote_addrs = ["192.0.2.2"]
            [connections.moon.local]
            auth = "pubkey"
            certs = ["{{Path.Combine(certs, "moon.pem")}}"]
            [connections.moon.remote]
            auth = "pubkey"
            cacerts = ["ca.pem"]
            {{remoteExtra}}
            [secrets.ecdsa-moon]
            file = "{{Path.Combine(certs, "moon-key.pem")}}"
            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    [Fact]
    public void A_crl_in_remote_crls_is_loaded_and_refuses_the_certificate_it_lists()
    {
        X509Certificate2 revoked = Leaf("revoked.example", 0x21);
        X509Certificate2 good = Leaf("good.example", 0x22);
        Crl("ca.crl", revoked);

        (RuntimeConfig runtime, IkeSharpConfig config, _) = RuntimeConfigBuilder.Load(Config("crls = [\"ca.crl\"]"));

        Assert.Equal([Path.Combine(dir, "ca.crl")], config.Connections[0].Remote.Crls);
        CertificateRevocationList crl = Assert.Single(runtime.Credentials.RevocationLists);
        var validator = new CertificateValidator([ca], runtime.Credentials.RevocationLists);
        CertificateValidation refused = validator.Validate(revoked, null, DateTime.UtcNow);
        Assert.False(refused.IsValid);
        Assert.Contains("CN=revoked.example", refused.FailureReason, StringComparison.Ordinal);
        Assert.Contains("is revoked by the CRL of", refused.FailureReason, StringComparison.Ordinal);
        Assert.Contains("(keyCompromise)", refused.FailureReason, StringComparison.Ordinal);
        Assert.True(validator.Validate(good, null, DateTime.UtcNow).IsValid);
        Assert.Contains("CN=CRL test CA", crl.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_remote_crls_the_same_certificate_passes()
    {
        X509Certificate2 revoked = Leaf("revoked.example", 0x21);
        Crl("ca.crl", revoked);

        (RuntimeConfig runtime, _, _) = RuntimeConfigBuilder.Load(Config(""));

        Assert.Empty(runtime.Credentials.RevocationLists);
        Assert.True(new CertificateValidator([ca], runtime.Credentials.RevocationLists).Validate(revoked, null, DateTime.UtcNow).IsValid);
    }

    [Fact]
    public void A_file_that_is_not_a_crl_is_an_error_with_line_and_key()
    {
        File.WriteAllText(Path.Combine(dir, "junk.crl"), "not a CRL\n");
        ConfigLoadResult result = ConfigLoader.LoadFile(Config("crls = [\"junk.crl\"]"));

        ConfigError error = Assert.Single(result.Errors);
        Assert.Equal((9, "connections.moon.remote.crls[0]"), (error.Line, error.Key));
        Assert.StartsWith("\"junk.crl\" is not an X.509 CRL (PEM with -----BEGIN X509 CRL----- or DER)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_given_as_a_crl_is_an_error_that_names_what_was_found()
    {
        ConfigLoadResult result = ConfigLoader.LoadFile(Config("crls = [\"ca.pem\"]"));

        ConfigError error = Assert.Single(result.Errors);
        Assert.Equal("connections.moon.remote.crls[0]", error.Key);
        Assert.Contains("found CERTIFICATE; expected -----BEGIN X509 CRL-----", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_crl_file_is_an_error()
    {
        ConfigLoadResult result = ConfigLoader.LoadFile(Config("crls = [\"missing.crl\"]"));

        ConfigError error = Assert.Single(result.Errors);
        Assert.Equal("connections.moon.remote.crls[0]", error.Key);
        Assert.Contains("CRL file \"missing.crl\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crls_on_the_local_side_are_an_unknown_key()
    {
        string path = Config("");
        File.WriteAllText(path, File.ReadAllText(path).Replace("certs = [", "crls = [\"ca.crl\"]\ncerts = [", StringComparison.Ordinal));
        ConfigLoadResult result = ConfigLoader.LoadFile(path);

        Assert.Contains(result.Errors, e => e.Key == "connections.moon.local.crls");
    }

    [Fact]
    public void The_test_only_forged_auth_key_pairs_our_certificate_with_that_key_and_without_it_our_own_key_is_used()
    {
        string certs = Path.Combine(Repo.Examples, "certs");
        string path = Config("");

        (RuntimeConfig honest, _, _) = RuntimeConfigBuilder.Load(path);
        (RuntimeConfig forged, _, _) = RuntimeConfigBuilder.Load(path, Path.Combine(certs, "sun-key.pem"));

        CertificateCredential own = honest.Credentials.Certificate(Path.Combine(certs, "moon.pem"))!;
        CertificateCredential other = forged.Credentials.Certificate(Path.Combine(certs, "moon.pem"))!;
        byte[] certificateKey = own.Certificate.PublicKey.ExportSubjectPublicKeyInfo();
        Assert.Equal(certificateKey, own.Key.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.NotEqual(certificateKey, other.Key.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(own.Certificate.RawData, other.Certificate.RawData);
    }

    [Fact]
    public void A_forged_auth_key_that_cannot_be_read_is_an_error_naming_the_variable()
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => RuntimeConfigBuilder.Load(Config(""), Path.Combine(dir, "none.pem")));
        Assert.Contains(RuntimeConfigBuilder.TestOnlyForgedAuthKeyVariable, e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        ca.Dispose();
        caKey.Dispose();
        Directory.Delete(dir, true);
    }
}
