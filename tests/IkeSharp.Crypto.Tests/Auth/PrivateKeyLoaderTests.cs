using System.Security.Cryptography;
using System.Text;
using IkeSharp.Crypto.Auth;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Tests.Auth;

public class PrivateKeyLoaderTests
{
    private static readonly byte[] Octets = "signed octets"u8.ToArray();
    private static readonly PbeParameters Pbe = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000);

    public static TheoryData<string> Formats =>
    [
        "rsa-pkcs1-pem", "rsa-pkcs1-der", "rsa-pkcs8-pem", "rsa-pkcs8-der", "rsa-encrypted-pkcs8-pem", "rsa-encrypted-pkcs8-der",
        "p256-sec1-pem", "p256-sec1-der", "p384-pkcs8-pem", "p521-pkcs8-der", "p256-encrypted-pkcs8-pem", "p384-sec1-with-ec-parameters-pem",
        "ed25519-pkcs8-pem", "ed25519-pkcs8-der", "ed448-pkcs8-pem", "ed25519-encrypted-pkcs8-pem",
    ];

    /// <summary>The key material for a format name, written by the BCL (or BouncyCastle for EdDSA), and the key it holds.</summary>
    private static (byte[] Data, SigningKey Original) Make(string format)
    {
        return format switch
        {
            "rsa-pkcs1-pem" => Rsa(r => Pem(r.ExportRSAPrivateKeyPem())),
            "rsa-pkcs1-der" => Rsa(r => r.ExportRSAPrivateKey()),
            "rsa-pkcs8-pem" => Rsa(r => Pem(r.ExportPkcs8PrivateKeyPem())),
            "rsa-pkcs8-der" => Rsa(r => r.ExportPkcs8PrivateKey()),
            "rsa-encrypted-pkcs8-pem" => Rsa(r => Pem(r.ExportEncryptedPkcs8PrivateKeyPem("pass phrase", Pbe))),
            "rsa-encrypted-pkcs8-der" => Rsa(r => r.ExportEncryptedPkcs8PrivateKey("pass phrase", Pbe)),
            "p256-sec1-pem" => Ec(ECCurve.NamedCurves.nistP256, e => Pem(e.ExportECPrivateKeyPem())),
            "p256-sec1-der" => Ec(ECCurve.NamedCurves.nistP256, e => e.ExportECPrivateKey()),
            "p384-pkcs8-pem" => Ec(ECCurve.NamedCurves.nistP384, e => Pem(e.ExportPkcs8PrivateKeyPem())),
            "p521-pkcs8-der" => Ec(ECCurve.NamedCurves.nistP521, e => e.ExportPkcs8PrivateKey()),
            "p256-encrypted-pkcs8-pem" => Ec(ECCurve.NamedCurves.nistP256, e => Pem(e.ExportEncryptedPkcs8PrivateKeyPem("pass phrase", Pbe))),
            // What `openssl ecparam -genkey` writes: an EC PARAMETERS block, then the key.
            "p384-sec1-with-ec-parameters-pem" => Ec(ECCurve.NamedCurves.nistP384, e =>
                Pem("-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n" + e.ExportECPrivateKeyPem())),
            "ed25519-pkcs8-pem" => Edwards(SignatureKeyType.Ed25519, k => Pem(PemEncoding.WriteString("PRIVATE KEY", k.ExportPkcs8PrivateKey()))),
            "ed25519-pkcs8-der" => Edwards(SignatureKeyType.Ed25519, k => k.ExportPkcs8PrivateKey()),
            "ed448-pkcs8-pem" => Edwards(SignatureKeyType.Ed448, k => Pem(PemEncoding.WriteString("PRIVATE KEY", k.ExportPkcs8PrivateKey()))),
            "ed25519-encrypted-pkcs8-pem" => Edwards(SignatureKeyType.Ed25519, k => Pem(PemEncoding.WriteString("ENCRYPTED PRIVATE KEY", EncryptPkcs8(k.ExportPkcs8PrivateKey(), "pass phrase")))),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };

        static byte[] Pem(string text) => Encoding.ASCII.GetBytes("some comment text before the block\n" + text + "\n");

        static (byte[], SigningKey) Rsa(Func<RSA, byte[]> export)
        {
            var rsa = RSA.Create(2048);
            return (export(rsa), SigningKey.FromRsa(rsa));
        }

        static (byte[], SigningKey) Ec(ECCurve curve, Func<ECDsa, byte[]> export)
        {
            var ecdsa = ECDsa.Create(curve);
            return (export(ecdsa), SigningKey.FromEcdsa(ecdsa));
        }

        static (byte[], SigningKey) Edwards(SignatureKeyType type, Func<SigningKey, byte[]> export)
        {
            SigningKey key = SigningKey.Generate(type);
            return (export(key), key);
        }
    }

    // PBES2 with PBKDF2/HMAC-SHA-256 and AES-256-CBC (RFC 8018 §6.2, A.2, B.2.5), as OpenSSL 3
    // writes it, built here by hand from BCL primitives, since the BCL encrypts only RSA/EC/DSA keys.
    private static byte[] EncryptPkcs8(byte[] pkcs8, string passphrase)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(16);
        byte[] iv = RandomNumberGenerator.GetBytes(16);
        const int iterations = 10_000;
        byte[] key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase), salt, iterations, HashAlgorithmName.SHA256, 32);
        using var aes = Aes.Create();
        aes.Key = key;
        byte[] encrypted = aes.EncryptCbc(pkcs8, iv);

        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.5.13"); // PBES2
                using (writer.PushSequence())
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier("1.2.840.113549.1.5.12"); // PBKDF2
                        using (writer.PushSequence())
                        {
                            writer.WriteOctetString(salt);
                            writer.WriteInteger(iterations);
                            using (writer.PushSequence())
                            {
                                writer.WriteObjectIdentifier("1.2.840.113549.2.9"); // hmacWithSHA256
                                writer.WriteNull();
                            }
                        }
                    }

                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier("2.16.840.1.101.3.4.1.42"); // aes256-CBC
                        writer.WriteOctetString(iv);
                    }
                }
            }

            writer.WriteOctetString(encrypted);
        }

        return writer.Encode();
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Loads_every_format_and_the_key_signs_for_the_original_public_key(string format)
    {
        (byte[] data, SigningKey original) = Make(format);
        Outcome<SigningKey> loaded = PrivateKeyLoader.Load(data, format.Contains("encrypted", StringComparison.Ordinal) ? "pass phrase" : default);
        Assert.True(loaded.Succeeded, loaded.Error);
        Assert.Equal(original.KeyType, loaded.Value!.KeyType);
        Assert.Equal(original.PublicKey.ExportSubjectPublicKeyInfo(), loaded.Value.PublicKey.ExportSubjectPublicKeyInfo());

        Outcome<AuthPayload> auth = SignatureAuthentication.Sign(loaded.Value, Octets, SignatureAuthentication.AnnouncedHashes);
        Assert.True(SignatureAuthentication.Verify(original.PublicKey, auth.GetValueOrThrow(), Octets).Succeeded);
    }

    [Fact]
    public void Encrypted_keys_need_the_right_passphrase()
    {
        (byte[] data, _) = Make("rsa-encrypted-pkcs8-pem");
        Outcome<SigningKey> none = PrivateKeyLoader.Load(data);
        Assert.Contains("no passphrase was given", none.Error, StringComparison.Ordinal);
        Outcome<SigningKey> wrong = PrivateKeyLoader.Load(data, "wrong phrase");
        Assert.False(wrong.Succeeded);
        Assert.Contains("wrong passphrase", wrong.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMIIB\n", "PEM block PRIVATE KEY on line 1 is malformed")]
    [InlineData("\n\n-----BEGIN PRIVATE KEY-----\nnot base64!!\n-----END PRIVATE KEY-----\n", "on line 3 is malformed")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "malformed")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n", "legacy format")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "found CERTIFICATE; expected PKCS#8")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "PEM block PRIVATE KEY on line 1: malformed PKCS#8")]
    [InlineData("just some text -----BEGIN nothing", "malformed")]
    public void Bad_pem_gives_a_clear_error(string pem, string expected)
    {
        Outcome<SigningKey> result = PrivateKeyLoader.Load(Encoding.ASCII.GetBytes(pem));
        Assert.False(result.Succeeded);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("3000")]
    [InlineData("0102030405")]
    [InlineData("300602010002010a")]
    public void Bad_der_gives_a_clear_error(string hex)
    {
        Outcome<SigningKey> result = PrivateKeyLoader.Load(Convert.FromHexString(hex));
        Assert.False(result.Succeeded);
        Assert.False(string.IsNullOrEmpty(result.Error));
    }

    [Fact]
    public void An_unsupported_curve_is_named()
    {
        using var brainpool = ECDsa.Create(ECCurve.NamedCurves.brainpoolP256r1);
        Outcome<SigningKey> result = PrivateKeyLoader.Load(brainpool.ExportPkcs8PrivateKey());
        Assert.False(result.Succeeded);
        Assert.Contains("1.3.36.3.3.2.8.1.1.7 is not supported", result.Error, StringComparison.Ordinal);
    }
}
