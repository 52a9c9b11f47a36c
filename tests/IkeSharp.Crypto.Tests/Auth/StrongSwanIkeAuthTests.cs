using System.Security.Cryptography;
using IkeSharp.Crypto.Auth;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Tests.Auth;

/// <summary>
/// strongSwan's own IKE_AUTH messages, decrypted here with the keys of its Wireshark table
/// (Fixtures/ikev2_decryption_table.TAG) by a minimal SK reader written in the test (AES-CBC +
/// HMAC-SHA-256-128, AES-GCM-16; RFC 7296 §3.14, RFC 5282 §5): the IDi/IDr and AUTH payloads
/// found inside must pass <see cref="SharedKeyMic.VerifyPeer"/>. The real SK protection lives
/// with the key-schedule work; this reader only checks the ICV and strips the padding.
/// </summary>
public class StrongSwanIkeAuthTests
{
    public static TheoryData<string> CaptureTags => [.. StrongSwanPskCapture.Tags];

    [Theory]
    [MemberData(nameof(CaptureTags))]
    public void Strongswans_auth_payloads_from_the_wire_verify_in_both_directions(string tag)
    {
        StrongSwanPskCapture c = StrongSwanPskCapture.Load(tag);
        string[] table = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", $"ikev2_decryption_table.{tag}")).Trim().Split(',');
        byte[] skEi = Convert.FromHexString(table[2]);
        byte[] skEr = Convert.FromHexString(table[3]);
        byte[] skAi = table[5].Length > 0 ? Convert.FromHexString(table[5]) : [];
        byte[] skAr = table[6].Length > 0 ? Convert.FromHexString(table[6]) : [];
        IReadOnlyList<(int Frame, byte[] Datagram)> datagrams = StrongSwanPskCapture.IkeDatagrams(tag);

        Payload[] request = DecryptSk(datagrams.Single(d => d.Frame == 3).Datagram, skEi, skAi);
        Payload[] response = DecryptSk(datagrams.Single(d => d.Frame == 4).Datagram, skEr, skAr);

        IdPayload idi = request.OfType<IdPayload>().Single(p => p.Role == IkeRole.Initiator);
        IdPayload idr = response.OfType<IdPayload>().Single(p => p.Role == IkeRole.Responder);
        AuthPayload authI = request.OfType<AuthPayload>().Single();
        AuthPayload authR = response.OfType<AuthPayload>().Single();
        Assert.Equal(c.AuthI, authI.Data.ToArray());
        Assert.Equal(c.AuthR, authR.Data.ToArray());

        AuthResult initiator = SharedKeyMic.VerifyPeer(StrongSwanPskCapture.Prf, StrongSwanPskCapture.Psk, c.SkPi, c.IkeSaInitRequest, c.NonceR, idi, authI);
        AuthResult responder = SharedKeyMic.VerifyPeer(StrongSwanPskCapture.Prf, StrongSwanPskCapture.Psk, c.SkPr, c.IkeSaInitResponse, c.NonceI, idr, authR);
        Assert.True(initiator.Succeeded, initiator.FailureReason);
        Assert.True(responder.Succeeded, responder.FailureReason);

        // Our own AUTH payload for strongSwan's octets is the one it sent.
        AuthPayload ours = SharedKeyMic.CreatePayload(StrongSwanPskCapture.Prf, StrongSwanPskCapture.Psk,
            SignedOctets.ForInitiator(StrongSwanPskCapture.Prf, c.SkPi, c.IkeSaInitRequest, c.NonceR, idi));
        Assert.Equal(authI.Method, ours.Method);
        Assert.Equal(authI.Data.ToArray(), ours.Data.ToArray());
    }

    private static Payload[] DecryptSk(byte[] datagram, byte[] skE, byte[] skA)
    {
        IkeMessage message = IkeMessage.Decode(datagram).Value;
        Assert.Equal(ExchangeType.IkeAuth, message.ExchangeType);
        EncryptedPayload sk = message.Encrypted!;
        int bodyStart = datagram.Length - sk.Body.Length;
        byte[] plain;
        if (skA.Length == 0)
        {
            // AES-GCM with a 16-octet ICV (RFC 5282): key | 4-octet salt, 8-octet IV, AAD = IKE
            // header and SK payload header.
            const int ivLength = 8;
            const int icvLength = 16;
            byte[] nonce = [.. skE.AsSpan(skE.Length - 4), .. sk.Body.Span[..ivLength]];
            ReadOnlySpan<byte> ciphertext = sk.Body.Span[ivLength..^icvLength];
            plain = new byte[ciphertext.Length];
            using var gcm = new AesGcm(skE.AsSpan(0, skE.Length - 4), icvLength);
            gcm.Decrypt(nonce, ciphertext, sk.Body.Span[^icvLength..], plain, datagram.AsSpan(0, bodyStart));
        }
        else
        {
            // AES-CBC with HMAC-SHA-256-128 over the whole message but the ICV (RFC 7296 §3.14).
            const int ivLength = 16;
            const int icvLength = 16;
            byte[] icv = HMACSHA256.HashData(skA, datagram.AsSpan(0, datagram.Length - icvLength))[..icvLength];
            Assert.Equal(icv, sk.Body.Span[^icvLength..].ToArray());
            using var aes = Aes.Create();
            aes.Key = skE;
            plain = aes.DecryptCbc(sk.Body.Span[ivLength..^icvLength], sk.Body.Span[..ivLength], PaddingMode.None);
        }

        int padLength = plain[^1];
        byte[] inner = plain[..(plain.Length - padLength - 1)];
        return PayloadChain.Decode(sk.FirstInnerPayload, inner, 0, allowEncrypted: false).Value;
    }
}
