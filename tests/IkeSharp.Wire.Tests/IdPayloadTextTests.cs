using IkeSharp.Wire.Payloads;

namespace IkeSharp.Wire.Tests;

/// <summary>IDs written as a strongSwan user writes them, with and without type prefixes.</summary>
public class IdPayloadTextTests
{
    [Theory]
    [InlineData("10.99.0.1", IdType.Ipv4Addr, "10.99.0.1")]
    [InlineData("fec0::1", IdType.Ipv6Addr, "fec0::1")]
    [InlineData("gw.example.com", IdType.Fqdn, "gw.example.com")]
    [InlineData("@gw.example.com", IdType.Fqdn, "gw.example.com")]
    [InlineData("alice@example.com", IdType.Rfc822Addr, "alice@example.com")]
    [InlineData("@@alice@example.com", IdType.Rfc822Addr, "alice@example.com")]
    [InlineData("email:alice@example.com", IdType.Rfc822Addr, "alice@example.com")]
    [InlineData("fqdn:10.1.2.3", IdType.Fqdn, "10.1.2.3")]
    [InlineData("@#0a0b0c", IdType.KeyId, "0a0b0c")]
    [InlineData("keyid:#0a0b0c", IdType.KeyId, "0a0b0c")]
    [InlineData("keyid:abc", IdType.KeyId, "616263")]
    [InlineData("ipv4:192.0.2.1", IdType.Ipv4Addr, "192.0.2.1")]
    [InlineData("C=CH, O=Lab, CN=gw", IdType.DerAsn1Dn, "C=CH, O=Lab, CN=gw")]
    [InlineData("asn1dn:CN=gw", IdType.DerAsn1Dn, "CN=gw")]
    public void Text_becomes_the_id_type_and_value_strongswan_would_send(string text, IdType type, string shown)
    {
        IdPayload id = IdPayload.FromText(IkeRole.Initiator, text);
        Assert.Equal(type, id.IdType);
        Assert.Equal(shown, id.DisplayValue);
    }
}
