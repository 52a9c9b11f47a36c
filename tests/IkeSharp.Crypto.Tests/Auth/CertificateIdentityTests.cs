using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IkeSharp.Crypto.Auth;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Tests.Auth;

public class CertificateIdentityTests
{
    private static readonly X509Certificate2 Ca = TestPki.Root("CN=Lab CA");

    private static readonly X509Certificate2 Moon = TestPki.Leaf(Ca, "CN=moon, O=Lab, C=CH", new TestPki.Sans(
        Dns: ["moon.example.org"],
        Email: ["moon@example.org"],
        Ip: ["10.99.0.2", "2001:db8::2"]));

    [Theory]
    [InlineData(IdType.Fqdn, "moon.example.org")]
    [InlineData(IdType.Fqdn, "MOON.Example.ORG")]
    [InlineData(IdType.Rfc822Addr, "moon@example.org")]
    [InlineData(IdType.Rfc822Addr, "Moon@Example.org")]
    public void Text_ids_match_their_subject_alt_names_case_insensitively(IdType type, string id) =>
        Assert.True(CertificateIdentity.Match(Moon, type, Encoding.ASCII.GetBytes(id)).Succeeded);

    [Theory]
    [InlineData("10.99.0.2")]
    [InlineData("2001:db8::2")]
    public void Address_ids_match_ip_address_subject_alt_names(string address) =>
        Assert.True(CertificateIdentity.Match(Moon, IdPayload.FromText(IkeRole.Responder, address)).Succeeded);

    [Theory]
    [InlineData("gw.example.org")]
    [InlineData("10.99.0.3")]
    [InlineData("2001:db8::3")]
    [InlineData("sun@example.org")]
    [InlineData("moon.example.org.evil")]
    public void A_wrong_id_of_each_type_lists_the_subject_alt_names(string id)
    {
        AuthResult result = CertificateIdentity.Match(Moon, IdPayload.FromText(IkeRole.Responder, id));
        Assert.False(result.Succeeded);
        Assert.Equal(
            $"ID {id} does not match: the subjectAltNames of the certificate CN=moon, O=Lab, C=CH are DNS:moon.example.org, email:moon@example.org, IP:10.99.0.2, IP:2001:db8::2",
            result.FailureReason);
    }

    [Fact]
    public void An_email_is_not_a_dns_name_and_an_ipv4_address_is_not_an_fqdn()
    {
        Assert.False(CertificateIdentity.Match(Moon, IdType.Fqdn, "moon@example.org"u8).Succeeded);
        Assert.False(CertificateIdentity.Match(Moon, IdType.Fqdn, "10.99.0.2"u8).Succeeded);
        Assert.False(CertificateIdentity.Match(Moon, IdType.Ipv4Addr, [10, 99, 0, 3]).Succeeded);
    }

    [Fact]
    public void A_dn_id_matches_the_subject_as_encoded_or_normalised()
    {
        Assert.True(CertificateIdentity.Match(Moon, IdType.DerAsn1Dn, Moon.SubjectName.RawData).Succeeded);
        Assert.True(CertificateIdentity.Match(Moon, IdPayload.FromText(IkeRole.Responder, "CN=moon, O=Lab, C=CH")).Succeeded);
        Assert.True(CertificateIdentity.Match(Moon, IdPayload.FromText(IkeRole.Responder, "cn=MOON,  o=lab, c=ch")).Succeeded);
        // UTF8String instead of PrintableString for the same text.
        byte[] utf8 = new X500DistinguishedName("CN=moon, O=Lab, C=CH", X500DistinguishedNameFlags.ForceUTF8Encoding | X500DistinguishedNameFlags.Reversed).RawData;
        Assert.NotEqual(Moon.SubjectName.RawData, utf8);
        Assert.True(CertificateIdentity.Match(Moon, IdType.DerAsn1Dn, utf8).Succeeded);
    }

    [Fact]
    public void A_wrong_dn_says_which_subject_it_was_compared_with()
    {
        AuthResult order = CertificateIdentity.Match(Moon, IdPayload.FromText(IkeRole.Responder, "C=CH, O=Lab, CN=moon"));
        Assert.False(order.Succeeded);
        AuthResult other = CertificateIdentity.Match(Moon, IdPayload.FromText(IkeRole.Responder, "CN=sun, O=Lab, C=CH"));
        Assert.Equal("ID CN=sun, O=Lab, C=CH does not match the subject of the certificate CN=moon, O=Lab, C=CH", other.FailureReason);
        Assert.False(CertificateIdentity.Match(Moon, IdType.DerAsn1Dn, [0x30, 0x05, 0x01]).Succeeded);
    }

    [Fact]
    public void A_key_id_never_matches()
    {
        AuthResult result = CertificateIdentity.Match(Moon, IdType.KeyId, "moon.example.org"u8);
        Assert.False(result.Succeeded);
        Assert.Contains("ID_KEY_ID", result.FailureReason, StringComparison.Ordinal);
        Assert.False(CertificateIdentity.Match(Moon, IdType.Null, []).Succeeded);
    }

    [Fact]
    public void A_certificate_without_subject_alt_names_says_so()
    {
        X509Certificate2 bare = TestPki.Leaf(Ca, "CN=bare");
        Assert.Equal("ID bare.example.org does not match: the certificate CN=bare has no subjectAltName",
            CertificateIdentity.Match(bare, IdType.Fqdn, "bare.example.org"u8).FailureReason);
        Assert.True(CertificateIdentity.Match(bare, IdPayload.FromText(IkeRole.Responder, "CN=bare")).Succeeded);
    }

    [Fact]
    public void Subject_alt_names_print_as_strongswan_writes_them() =>
        Assert.Equal(["DNS:moon.example.org", "email:moon@example.org", "IP:10.99.0.2", "IP:2001:db8::2"],
            CertificateIdentity.ReadSubjectAltNames(Moon).Select(n => n.ToString()));
}
