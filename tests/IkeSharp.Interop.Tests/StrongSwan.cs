using System.Security.Cryptography.X509Certificates;
using System.Globalization;

namespace IkeSharp.Interop.Tests;

/// <summary>One cell's settings, on both sides.</summary>
internal sealed record Cell(string Name, string IkeProposal, string EspProposal, string Auth = "psk", string PkiAlgorithm = "ecdsa")
{
    public override string ToString() => Name;
}

/// <summary>
/// Debian's strongSwan charon in the lab's second namespace, with the kernel-libipsec plugin (the
/// kernel here has no ESP): its own strongswan.conf, swanctl.conf, vici socket and /run (charon's
/// pid file path is compiled in, so it runs under unshare --mount with a private /run).
/// </summary>
internal sealed class StrongSwan : IDisposable
{
    public const string Charon = "/usr/lib/ipsec/charon";
    public const string Swanctl = "/usr/sbin/swanctl";
    private const string Plugins = "random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey curve25519 aes sha1 sha2 hmac gcm chapoly kdf kernel-libipsec kernel-netlink socket-default vici";

    private readonly Lab lab;
    private readonly string dir;
    private Process? charon;

    public StrongSwan(Lab lab)
    {
        this.lab = lab;
        dir = Path.Combine(lab.Dir, "strongswan");
        Directory.CreateDirectory(Path.Combine(dir, "run"));
        Directory.CreateDirectory(Path.Combine(dir, "swanctl", "x509"));
        Directory.CreateDirectory(Path.Combine(dir, "swanctl", "x509ca"));
        Directory.CreateDirectory(Path.Combine(dir, "swanctl", "private"));
    }

    public string LogPath => Path.Combine(dir, "charon.log");

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "(no charon log)";

    private string Vici => "unix://" + Path.Combine(dir, "charon.vici");

    /// <summary>Writes the configs for a cell: strongSwan at 10.99.0.2 with the remote LAN 10.2.0.0/24.</summary>
    public void Configure(Cell cell, string psk, Pki? pki, string? remoteId = null, int dpdDelay = 0, bool encap = true, string? alsoTrustedCa = null, string? localTs = null)
    {
        File.WriteAllText(Path.Combine(dir, "strongswan.conf"), $$"""
            charon {
                load = {{Plugins}}
                port = 500
                port_nat_t = 4500
                install_routes = yes
                routing_table = 220
                routing_table_prio = 220
                retransmit_timeout = 1
                retransmit_base = 1.4
                retransmit_tries = 3
                dos_protection = no
                filelog {
                    main {
                        path = {{LogPath}}
                        time_format = %H:%M:%S
                        ike_name = yes
                        append = yes
                        flush_line = yes
                        default = 1
                        ike = 2
                        cfg = 2
                        net = 1
                    }
                }
                plugins {
                    vici {
                        socket = {{Vici}}
                    }
                }
            }
            """);

        string auth = cell.Auth == "psk" ? "psk" : "pubkey";
        string localCerts = "";
        if (pki is not null)
        {
            File.Copy(pki.CaCert, Path.Combine(dir, "swanctl", "x509ca", "ca.crt"), true);
            if (alsoTrustedCa is not null)
            {
                File.Copy(alsoTrustedCa, Path.Combine(dir, "swanctl", "x509ca", "also.crt"), true);
            }

            if (cell.Auth != "psk")
            {
                File.Copy(pki.TheirsCert, Path.Combine(dir, "swanctl", "x509", "theirs.crt"), true);
                File.Copy(pki.TheirsKey, Path.Combine(dir, "swanctl", "private", "theirs.key"), true);
                localCerts = "certs = theirs.crt";
            }
        }

        File.WriteAllText(Path.Combine(dir, "swanctl", "swanctl.conf"), $$"""
            connections {
                lab {
                    version = 2
                    local_addrs = {{lab.TheirsOuter}}
                    remote_addrs = {{lab.OursSeenByTheirs}}
                    proposals = {{cell.IkeProposal}}
                    encap = {{(encap ? "yes" : "no")}}
                    mobike = no
                    dpd_delay = {{dpdDelay.ToString(CultureInfo.InvariantCulture)}}s
                    local {
                        auth = {{auth}}
                        id = {{lab.TheirsOuter}}
                        {{localCerts}}
                    }
                    remote {
                        auth = {{auth}}
                        id = {{remoteId ?? lab.OursOuter}}
                    }
                    children {
                        net {
                            local_ts = {{localTs ?? lab.TheirsNet}}
                            remote_ts = {{lab.OursNet}}
                            esp_proposals = {{cell.EspProposal}}
                            mode = tunnel
                            start_action = none
                            dpd_action = clear
                        }
                    }
                }
            }
            secrets {
                ike-lab {
                    secret = "{{psk}}"
                }
            }
            """);
    }

    /// <summary>
    /// Writes the configs for a load test: strongSwan at 10.99.0.2 answers any initiator at 10.99.0.1
    /// with any identity and the PSK, narrowing every proposed selector to the lab's LANs. Routes stay
    /// out of the kernel (hundreds of identical Child SAs), and the DoS thresholds (block_threshold:
    /// 5 half-open SAs per address) are off, as for any load test from one address. With
    /// <paramref name="pki"/>, both ends authenticate with certificates from its CA instead (pubkey;
    /// strongSwan shows theirs.crt and takes any initiator certificate that chains to ca.crt).
    /// </summary>
    public void ConfigureLoad(string ikeProposal, string espProposal, string psk, Pki? pki = null)
    {
        string auth = "psk";
        string localCerts = "";
        if (pki is not null)
        {
            File.Copy(pki.CaCert, Path.Combine(dir, "swanctl", "x509ca", "ca.crt"), true);
            File.Copy(pki.TheirsCert, Path.Combine(dir, "swanctl", "x509", "theirs.crt"), true);
            File.Copy(pki.TheirsKey, Path.Combine(dir, "swanctl", "private", "theirs.key"), true);
            auth = "pubkey";
            localCerts = "certs = theirs.crt";
        }

        File.WriteAllText(Path.Combine(dir, "strongswan.conf"), $$"""
            charon {
                load = {{Plugins}}
                port = 500
                port_nat_t = 4500
                install_routes = no
                dos_protection = no
                cookie_threshold = 100000
                block_threshold = 100000
                filelog {
                    main {
                        path = {{LogPath}}
                        time_format = %H:%M:%S
                        append = yes
                        default = 0
                        ike = 1
                    }
                }
                plugins {
                    vici {
                        socket = {{Vici}}
                    }
                }
            }
            """);
        File.WriteAllText(Path.Combine(dir, "swanctl", "swanctl.conf"), $$"""
            connections {
                lab {
                    version = 2
                    local_addrs = {{lab.TheirsOuter}}
                    remote_addrs = {{lab.OursSeenByTheirs}}
                    proposals = {{ikeProposal}}
                    mobike = no
                    local {
                        auth = {{auth}}
                        id = {{lab.TheirsOuter}}
                        {{localCerts}}
                    }
                    remote {
                        auth = {{auth}}
                        id = %any
                    }
                    children {
                        net {
                            local_ts = {{lab.TheirsNet}}
                            remote_ts = {{lab.OursNet}}
                            esp_proposals = {{espProposal}}
                            start_action = none
                        }
                    }
                }
            }
            secrets {
                ike-lab {
                    secret = "{{psk}}"
                }
            }
            """);
    }

    public void Start()
    {
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "netns", "exec", lab.Theirs, "unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
            "mount --bind \"$1\" /run && exec env STRONGSWAN_CONF=\"$2\" \"$3\"", "charon-lab", Path.Combine(dir, "run"), Path.Combine(dir, "strongswan.conf"), Charon })
        {
            start.ArgumentList.Add(a);
        }

        charon = Process.Start(start) ?? throw new InvalidOperationException("cannot start charon");
        charon.OutputDataReceived += (_, _) => { };
        charon.ErrorDataReceived += (_, _) => { };
        charon.BeginOutputReadLine();
        charon.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(Path.Combine(dir, "charon.vici")))
        {
            if (DateTime.UtcNow > until || charon.HasExited)
            {
                throw new InvalidOperationException($"charon did not come up:\n{Log}");
            }

            Thread.Sleep(50);
        }

        Shell.Result load = Swan("--load-all", "--noprompt", "--file", Path.Combine(dir, "swanctl", "swanctl.conf"));
        if (!load.Ok)
        {
            throw new InvalidOperationException($"swanctl --load-all failed:\n{load.Output}");
        }
    }

    /// <summary>Runs swanctl against this charon; swanctl finds x509/private next to the swanctl.conf it loads.</summary>
    public Shell.Result Swan(params string[] args)
    {
        var start = new ProcessStartInfo(Swanctl) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["SWANCTL_DIR"] = Path.Combine(dir, "swanctl");
        start.ArgumentList.Add(args[0]);
        start.ArgumentList.Add("--uri");
        start.ArgumentList.Add(Vici);
        foreach (string a in args.Skip(1))
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill();
        }

        return new Shell.Result(p.ExitCode, output);
    }

    public string ListSas() => Swan("--list-sas").Output;

    /// <summary>Kills charon at once (kill -9), as a crashed peer.</summary>
    public void Kill()
    {
        if (charon is { HasExited: false })
        {
            charon.Kill(entireProcessTree: true);
            charon.WaitForExit();
        }
    }

    public void Dispose()
    {
        if (charon is { HasExited: false })
        {
            Swan("--terminate", "--ike", "lab", "--timeout", "2");
        }

        Kill();
        charon?.Dispose();
    }
}

/// <summary>A CA and one certificate each for us and for strongSwan, made with openssl (ECDSA P-256 or RSA-2048), SANs = outer IPs.</summary>
internal sealed class Pki
{
    public Pki(string dir, string algorithm)
    {
        Directory.CreateDirectory(dir);
        Dir = dir;
        Key("ca.key", algorithm);
        Shell.Must("openssl", "req", "-x509", "-new", "-key", CaKey, "-subj", "/C=XX/O=IkeSharp interop/CN=Interop CA", "-days", "3650",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", CaCert);
        Leaf("ours", Lab.V4OursOuter, algorithm);
        Leaf("theirs", Lab.V4TheirsOuter, algorithm);
    }

    public string Dir { get; }

    public string CaKey => Path.Combine(Dir, "ca.key");

    public string CaCert => Path.Combine(Dir, "ca.crt");

    public string OursCert => Path.Combine(Dir, "ours.crt");

    public string OursKey => Path.Combine(Dir, "ours.key");

    public string TheirsCert => Path.Combine(Dir, "theirs.crt");

    public string TheirsKey => Path.Combine(Dir, "theirs.key");

    /// <summary>
    /// Signs strongSwan's certificate again with other validity dates (its key, names and CA stay),
    /// for tests of expired and not-yet-valid certificates. openssl x509 -req cannot set past dates,
    /// so the BCL's CertificateRequest does it.
    /// </summary>
    public void ReissueTheirs(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using X509Certificate2 ca = X509CertificateLoader.LoadCertificateFromFile(CaCert);
        string caKeyPem = File.ReadAllText(CaKey);
        X509SignatureGenerator signer;
        if (ca.GetECDsaPublicKey() is not null)
        {
            var ecKey = System.Security.Cryptography.ECDsa.Create();
            ecKey.ImportFromPem(caKeyPem);
            signer = X509SignatureGenerator.CreateForECDsa(ecKey);
        }
        else
        {
            var rsaKey = System.Security.Cryptography.RSA.Create();
            rsaKey.ImportFromPem(caKeyPem);
            signer = X509SignatureGenerator.CreateForRSA(rsaKey, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        }
        using X509Certificate2 old = X509CertificateLoader.LoadCertificateFromFile(TheirsCert);
        System.Security.Cryptography.X509Certificates.CertificateRequest request;
        System.Security.Cryptography.AsymmetricAlgorithm key;
        if (old.GetECDsaPublicKey() is { } ec)
        {
            key = ec;
            request = new(old.SubjectName, ec, System.Security.Cryptography.HashAlgorithmName.SHA256);
        }
        else
        {
            System.Security.Cryptography.RSA rsa = old.GetRSAPublicKey()!;
            key = rsa;
            request = new(old.SubjectName, rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        }

        foreach (System.Security.Cryptography.X509Certificates.X509Extension e in old.Extensions)
        {
            if (e.Oid?.Value is "2.5.29.17" or "2.5.29.15")
            {
                request.CertificateExtensions.Add(e);
            }
        }

        using X509Certificate2 fresh = request.Create(ca.SubjectName, signer, notBefore, notAfter, [0x42, 0x17]);
        File.WriteAllText(TheirsCert, fresh.ExportCertificatePem());
        key.Dispose();
    }

    private void Key(string name, string algorithm) => Shell.Must("openssl", algorithm == "rsa"
        ? ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", Path.Combine(Dir, name)]
        : ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", Path.Combine(Dir, name)]);

    private void Leaf(string name, string ip, string algorithm)
    {
        Key(name + ".key", algorithm);
        string csr = Path.Combine(Dir, name + ".csr");
        string ext = Path.Combine(Dir, name + ".ext");
        Shell.Must("openssl", "req", "-new", "-key", Path.Combine(Dir, name + ".key"), "-subj", $"/C=XX/O=IkeSharp interop/CN={name}.interop.test", "-out", csr);
        File.WriteAllText(ext, $"subjectAltName=IP:{ip},DNS:{name}.interop.test\nkeyUsage=critical,digitalSignature\n");
        Shell.Must("openssl", "x509", "-req", "-in", csr, "-CA", CaCert, "-CAkey", CaKey, "-CAcreateserial", "-days", "825", "-extfile", ext, "-out", Path.Combine(Dir, name + ".crt"));
    }
}
