using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;
using IkeSharp.Crypto;
using IkeSharp.Daemon.DataPlane;
using IkeSharp.Daemon.Tun;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Daemon.Tests.Tun;

/// <summary>
/// The XFRM backend's policy half, in a private namespace, checked with `ip xfrm`. This kernel has
/// XFRM but no ESP, so adding an SA must fail with the kernel's reason, and the policies go again.
/// </summary>
public class XfrmTests
{
    [Fact]
    public void Policies_are_added_with_a_tunnel_template_and_deleted()
    {
        using var ns = new NetNs("ikesharp-test-xfrm");
        ns.Run(() =>
        {
            using var xfrm = new XfrmNetlink();
            xfrm.AddPolicy(TrafficSelector.Subnet("10.1.0.0/24"), TrafficSelector.Subnet("10.2.0.0/24"), XfrmNetlink.Direction.Out,
                IPAddress.Parse("10.99.0.1"), IPAddress.Parse("10.99.0.2"), reqid: 7);
            string policies = ns.Must("-n", ns.Name, "xfrm", "policy");
            Assert.Contains("src 10.1.0.0/24 dst 10.2.0.0/24", policies, StringComparison.Ordinal);
            Assert.Contains("dir out priority 2000", policies, StringComparison.Ordinal);
            Assert.Contains("tmpl src 10.99.0.1 dst 10.99.0.2", policies, StringComparison.Ordinal);
            Assert.Contains("proto esp reqid 7 mode tunnel", policies, StringComparison.Ordinal);

            xfrm.DeletePolicy(TrafficSelector.Subnet("10.1.0.0/24"), TrafficSelector.Subnet("10.2.0.0/24"), XfrmNetlink.Direction.Out);
            Assert.DoesNotContain("10.2.0.0/24", ns.Must("-n", ns.Name, "xfrm", "policy"), StringComparison.Ordinal);

            IOException missing = Assert.Throws<IOException>(() =>
                xfrm.DeletePolicy(TrafficSelector.Subnet("10.1.0.0/24"), TrafficSelector.Subnet("10.2.0.0/24"), XfrmNetlink.Direction.Out));
            Assert.Contains("xfrm: cannot delete the out policy 10.1.0.0/24 === 10.2.0.0/24", missing.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Installing_a_child_sa_on_a_kernel_without_esp_fails_with_the_reason_and_leaves_no_policy()
    {
        using var ns = new NetNs("ikesharp-test-xfrm2");
        ns.Run(() =>
        {
            using var plane = new XfrmDataPlane(NullLogger.Instance);
            var sa = new ChildSaInstalled(0, "site-b", "net", 0xc1000001, 0xc2000002, IpsecMode.Tunnel, "aes128gcm16", EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, false,
                new SecretBytes(new byte[20]), new SecretBytes([]), new SecretBytes(new byte[20]), new SecretBytes([]),
                [TrafficSelector.Subnet("10.1.0.0/24")], [TrafficSelector.Subnet("10.2.0.0/24")],
                new IPEndPoint(IPAddress.Parse("10.99.0.1"), 4500), new IPEndPoint(IPAddress.Parse("10.99.0.2"), 4500), true);
            InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => plane.Install(sa));
            Assert.Contains("xfrm: cannot add the ESP SA c1000001 10.99.0.2 -> 10.99.0.1 (rfc4106(gcm(aes)))", e.Message, StringComparison.Ordinal);
            Assert.Contains("use dataplane = \"userspace\"", e.Message, StringComparison.Ordinal);
            Assert.Equal("", ns.Must("-n", ns.Name, "xfrm", "policy").Trim());
            Assert.Equal("", ns.Must("-n", ns.Name, "xfrm", "state").Trim());
        });
    }
}
