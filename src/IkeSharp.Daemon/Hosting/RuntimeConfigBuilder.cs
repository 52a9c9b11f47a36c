using System.Security.Cryptography.X509Certificates;
using IkeSharp.Core.Credentials;
using IkeSharp.Core.Policy;
using IkeSharp.Core.Reliability;
using IkeSharp.Crypto.Auth;
using IkeSharp.Daemon.Config;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// Turns a loaded configuration into what the engine runs with: connections, a credential store
/// with the PSKs, certificates (by their file paths, the names local.certs, remote.cacerts and
/// remote.certs use) and private keys, and the engine's options from [daemon]. A file that cannot
/// be read or parsed is an error naming the file and the key that refers to it.
/// </summary>
public static class RuntimeConfigBuilder
{
    /// <summary>
    /// The environment variable of the test-only hook (see <see cref="Build"/>): a private key file
    /// that signs our AUTH instead of the key of our certificate. Never part of a config file.
    /// </summary>
    public const string TestOnlyForgedAuthKeyVariable = "IKESHARP_TEST_ONLY_SIGN_AUTH_WITH_ANOTHER_KEY";

    /// <summary>Reads and checks the file; throws <see cref="InvalidDataException"/> listing every error.</summary>
    public static (RuntimeConfig Runtime, IkeSharpConfig Config, IReadOnlyList<ConfigError> Warnings) Load(string path, string? testOnlyForgedAuthKey = null)
    {
        ConfigLoadResult result = ConfigLoader.LoadFile(path);
        if (!result.IsSuccess)
        {
            throw new InvalidDataException(string.Join("\n", result.Errors));
        }

        return (Build(result.Config!, path, testOnlyForgedAuthKey), result.Config!, result.Warnings);
    }

    /// <summary>
    /// Builds the runtime config. <paramref name="testOnlyForgedAuthKey"/> is a hook for the interop
    /// tests of issue 7 (AUTH signed by another key, RFC 7296 §2.15): when given, every local
    /// certificate is paired with that private key instead of its own, so our AUTH payloads carry a
    /// signature the peer must refuse. The daemon takes it only from the environment variable
    /// <see cref="TestOnlyForgedAuthKeyVariable"/> and logs a warning when it does.
    /// </summary>
    public static RuntimeConfig Build(IkeSharpConfig config, string source, string? testOnlyForgedAuthKey = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var store = new CredentialStore();
        var errors = new List<string>();
        foreach (IkeSecret secret in config.Secrets)
        {
            store.Add(secret.Secret.ToArray(), [.. secret.Ids]);
        }

        var keys = new List<SigningKey>();
        foreach (PrivateKeySecret key in config.PrivateKeys)
        {
            try
            {
                Outcome<SigningKey> loaded = PrivateKeyLoader.Load(File.ReadAllBytes(key.File));
                if (loaded.Succeeded)
                {
                    keys.Add(loaded.Value!);
                }
                else
                {
                    errors.Add($"{source}: secrets.{key.Name}: {key.File}: {loaded.Error}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{source}: secrets.{key.Name}: cannot read {key.File}: {e.Message}");
            }
        }

        SigningKey? forged = null;
        if (testOnlyForgedAuthKey is not null)
        {
            try
            {
                Outcome<SigningKey> loaded = PrivateKeyLoader.Load(File.ReadAllBytes(testOnlyForgedAuthKey));
                forged = loaded.Succeeded ? loaded.Value : null;
                if (!loaded.Succeeded)
                {
                    errors.Add($"{TestOnlyForgedAuthKeyVariable}: {testOnlyForgedAuthKey}: {loaded.Error}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{TestOnlyForgedAuthKeyVariable}: cannot read {testOnlyForgedAuthKey}: {e.Message}");
            }
        }

        foreach (ConnectionConfig c in config.Connections)
        {
            foreach (string path in c.Local.Certs)
            {
                if (LoadCertificate(path, $"connections.{c.Name}.local.certs", source, errors) is not { } certificate)
                {
                    continue;
                }

                byte[] spki = certificate.PublicKey.ExportSubjectPublicKeyInfo();
                SigningKey? match = keys.FirstOrDefault(k => k.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(spki));
                if (match is null)
                {
                    errors.Add($"{source}: connections.{c.Name}.local.certs: no private key in [secrets] matches the certificate {path} ({certificate.Subject}); add [secrets.private-NAME] file = \"KEY.pem\"");
                    continue;
                }

                store.AddCertificate(path, certificate, forged ?? match);
            }

            foreach (string path in c.Remote.CaCerts)
            {
                if (LoadCertificate(path, $"connections.{c.Name}.remote.cacerts", source, errors) is { } ca)
                {
                    store.AddAuthority(path, ca);
                }
            }

            foreach (string path in c.Remote.Crls)
            {
                foreach (CertificateRevocationList crl in LoadRevocationLists(path, $"connections.{c.Name}.remote.crls", source, errors))
                {
                    store.AddRevocationList(crl);
                }
            }

            foreach (string path in c.Remote.Certs)
            {
                if (LoadCertificate(path, $"connections.{c.Name}.remote.certs", source, errors) is { } peer)
                {
                    store.AddPeerCertificate(path, peer);
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidDataException(string.Join("\n", errors));
        }

        DaemonSettings d = config.Daemon;
        var options = new EngineOptions
        {
            CookieThreshold = d.CookieThreshold,
            CookieThresholdPerAddress = d.CookieThresholdIp,
            BlockThreshold = d.BlockThreshold,
            HalfOpenTimeout = d.HalfOpenTimeout,
            KeyExchangeReuseTime = d.KeReuseTime,
            IkeSaLimit = d.IkeSaLimit,
            IkeSasPerIdentity = d.IkeSasPerIdentity,
            AuthFailureLimit = d.AuthFailureLimit,
            AuthFailureWindow = d.AuthFailureWindow,
            InformationalLimit = d.InformationalLimit,
            Retransmission = new RetransmissionSchedule((long)d.RetransmitTimeout.TotalMilliseconds, d.RetransmitBase, d.RetransmitTries),
        };
        return new RuntimeConfig(config.Connections, store, options) { KeyLogPath = d.KeyLog };
    }

    private static IReadOnlyList<CertificateRevocationList> LoadRevocationLists(string path, string key, string source, List<string> errors)
    {
        try
        {
            Outcome<IReadOnlyList<CertificateRevocationList>> loaded = CertificateRevocationList.Load(File.ReadAllBytes(path));
            if (!loaded.Succeeded)
            {
                errors.Add($"{source}: {key}: {path} is not an X.509 CRL: {loaded.Error}");
                return [];
            }

            return loaded.Value!;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{source}: {key}: cannot read {path}: {e.Message}");
            return [];
        }
    }

    private static X509Certificate2? LoadCertificate(string path, string key, string source, List<string> errors)
    {
        try
        {
            Outcome<IReadOnlyList<X509Certificate2>> loaded = CertificateLoader.Load(File.ReadAllBytes(path));
            if (!loaded.Succeeded || loaded.Value!.Count == 0)
            {
                errors.Add($"{source}: {key}: {path} is not a certificate: {loaded.Error ?? "no certificate in the file"}");
                return null;
            }

            return loaded.Value[0];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{source}: {key}: cannot read {path}: {e.Message}");
            return null;
        }
    }
}
