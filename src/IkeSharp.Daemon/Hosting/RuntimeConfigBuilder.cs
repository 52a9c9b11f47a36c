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
    /// <summary>Reads and checks the file; throws <see cref="InvalidDataException"/> listing every error.</summary>
    public static (RuntimeConfig Runtime, IkeSharpConfig Config, IReadOnlyList<ConfigError> Warnings) Load(string path)
    {
        ConfigLoadResult result = ConfigLoader.LoadFile(path);
        if (!result.IsSuccess)
        {
            throw new InvalidDataException(string.Join("\n", result.Errors));
        }

        return (Build(result.Config!, path), result.Config!, result.Warnings);
    }

    public static RuntimeConfig Build(IkeSharpConfig config, string source)
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

                store.AddCertificate(path, certificate, match);
            }

            foreach (string path in c.Remote.CaCerts)
            {
                if (LoadCertificate(path, $"connections.{c.Name}.remote.cacerts", source, errors) is { } ca)
                {
                    store.AddAuthority(path, ca);
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
            IkeSaLimit = d.IkeSaLimit,
            IkeSasPerIdentity = d.IkeSasPerIdentity,
            AuthFailureLimit = d.AuthFailureLimit,
            AuthFailureWindow = d.AuthFailureWindow,
            InformationalLimit = d.InformationalLimit,
            Retransmission = new RetransmissionSchedule((long)d.RetransmitTimeout.TotalMilliseconds, d.RetransmitBase, d.RetransmitTries),
        };
        return new RuntimeConfig(config.Connections, store, options) { KeyLogPath = d.KeyLog };
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
