using BenchmarkDotNet.Attributes;
using IkeSharp.Crypto.Auth;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Bench;

/// <summary>AUTH signatures over 300 octets of signed data (about an IKE_SA_INIT message plus nonce and prf), RFC 7427 method 14.</summary>
[MemoryDiagnoser]
public class SignatureBenchmarks
{
    private readonly byte[] octets = new byte[300];
    private SigningKey key = null!;
    private SignatureChoice choice = null!;
    private AuthPayload auth = null!;

    [Params(SignatureKeyType.Rsa, SignatureKeyType.EcdsaP256, SignatureKeyType.EcdsaP384, SignatureKeyType.Ed25519)]
    public SignatureKeyType KeyType { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        key = SigningKey.Generate(KeyType, rsaBits: 2048);
        choice = SignatureAuthentication.Choose(KeyType, SignatureAuthentication.AnnouncedHashes).Value!;
        auth = SignatureAuthentication.Sign(key, choice, octets);
    }

    [Benchmark]
    public AuthPayload Sign() => SignatureAuthentication.Sign(key, choice, octets);

    [Benchmark]
    public bool Verify() => SignatureAuthentication.Verify(key.PublicKey, auth, octets).Succeeded;
}
