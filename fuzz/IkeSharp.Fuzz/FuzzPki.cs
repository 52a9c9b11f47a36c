using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using IkeSharp.Core.Credentials;
using IkeSharp.Crypto.Auth;

namespace IkeSharp.Fuzz;

/// <summary>
/// The example PKI of examples/certs (an ECDSA P-256 CA, "moon" and "sun" leaves with DNS SANs),
/// embedded in the harness: fixed keys and certificates, so an input that reaches IKE_AUTH with
/// certificates does the same on every run. Loaded once per process and never changed.
/// </summary>
internal sealed class FuzzPki
{
    /// <summary>A time inside every certificate's validity (2026-11-28 to 2036), for the engines' calendar.</summary>
    public static readonly DateTimeOffset Now = new(2027, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<FuzzPki> Loaded = new(() => new FuzzPki());

    private FuzzPki()
    {
        Ca = Certificate("ca.pem");
        Moon = Certificate("moon.pem");
        MoonKey = Key("moon-key.pem");
        Sun = Certificate("sun.pem");
        SunKey = Key("sun-key.pem");
    }

    public static FuzzPki Instance => Loaded.Value;

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Moon { get; }

    public SigningKey MoonKey { get; }

    public X509Certificate2 Sun { get; }

    public SigningKey SunKey { get; }

    /// <summary>A store with one side's certificate (as "own") and the CA (as "ca").</summary>
    public CredentialStore Store(bool moon) =>
        new CredentialStore().AddCertificate("own", moon ? Moon : Sun, moon ? MoonKey : SunKey).AddAuthority("ca", Ca);

    private static byte[] Resource(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("certs." + name)
            ?? throw new InvalidOperationException($"the harness lacks its embedded examples/certs/{name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static X509Certificate2 Certificate(string name)
    {
        Outcome<IReadOnlyList<X509Certificate2>> loaded = CertificateLoader.Load(Resource(name));
        return loaded.Succeeded ? loaded.Value![0] : throw new InvalidOperationException($"examples/certs/{name}: {loaded.Error}");
    }

    private static SigningKey Key(string name)
    {
        Outcome<SigningKey> loaded = PrivateKeyLoader.Load(Resource(name));
        return loaded.Succeeded ? loaded.Value! : throw new InvalidOperationException($"examples/certs/{name}: {loaded.Error}");
    }
}

/// <summary>A calendar that stands still, for certificate validity checks that must not depend on the day.</summary>
internal sealed class FixedCalendar(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
