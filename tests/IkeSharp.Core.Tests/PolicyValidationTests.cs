using IkeSharp.Core.Policy;
using IkeSharp.Core.Tests.Simulation;

namespace IkeSharp.Core.Tests;

public class PolicyValidationTests
{
    private static ConnectionConfig Base() => Pair.Config("c", Pair.AliceAddress, Pair.BobAddress, "10.1.0.0/24", "10.2.0.0/24");

    [Fact]
    public void The_lab_configuration_is_valid()
    {
        Assert.Empty(PolicyValidation.Check(Base()));
    }

    [Fact]
    public void Missing_transforms_are_named_with_the_proposal()
    {
        ConnectionConfig noKe = Base() with { Proposals = [[Transform.Encryption(EncryptionAlgorithm.AesGcm16, 128), Transform.Prf(PseudorandomFunction.HmacSha2_256)]] };
        Assert.Equal(["connection c: IKE proposal aes128gcm16-prfsha256 has no key exchange method"], PolicyValidation.Check(noKe));

        ConnectionConfig cbcNoInteg = Base() with { Proposals = [[Transform.Encryption(EncryptionAlgorithm.AesCbc, 256), Transform.Prf(PseudorandomFunction.HmacSha2_256), Transform.KeyExchange(KeyExchangeMethod.Curve25519)]] };
        Assert.Contains("has a non-AEAD cipher but no integrity algorithm", Assert.Single(PolicyValidation.Check(cbcNoInteg)), StringComparison.Ordinal);

        ConnectionConfig espNoInteg = Base() with { Children = [Base().Children[0] with { EspProposals = [[Transform.Encryption(EncryptionAlgorithm.AesCbc, 128)]] }] };
        Assert.Contains("child net: ESP proposal aes128 has a non-AEAD cipher", Assert.Single(PolicyValidation.Check(espNoInteg)), StringComparison.Ordinal);

        ArgumentException e = Assert.Throws<ArgumentException>(() => new Engine.IkeEngine([noKe], new Credentials.SharedKeyStore(), Crypto.AlgorithmRegistry.Default, new Crypto.DeterministicRandom(1)));
        Assert.Contains("invalid configuration: connection c: IKE proposal aes128gcm16-prfsha256", e.Message, StringComparison.Ordinal);
    }
}
