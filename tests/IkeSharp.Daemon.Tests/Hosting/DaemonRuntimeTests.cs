using IkeSharp.Core.Policy;
using IkeSharp.Daemon.Control;

namespace IkeSharp.Daemon.Tests.Hosting;

/// <summary>Two daemons over real loopback sockets: up, status, NAT-T float, down, failures.</summary>
public class DaemonRuntimeTests
{
    [Fact]
    public async Task Up_establishes_over_loopback_udp_and_status_shows_both_ends()
    {
        await using LoopbackPair p = LoopbackPair.Start(port: 21500);
        ControlReply up = await p.Alice.UpAsync("to-bob", 10);
        Assert.True(up.Ok, up.Message);
        Assert.Contains("Child SA net installed", up.Message, StringComparison.Ordinal);

        StatusReport.IkeRow alice = Assert.Single(await p.Alice.StatusRowsAsync());
        StatusReport.IkeRow bob = Assert.Single(await p.Bob.StatusRowsAsync());
        Assert.Equal("ESTABLISHED", alice.State);
        Assert.Equal("ESTABLISHED", bob.State);
        Assert.Equal((alice.SpiI, alice.SpiR), (bob.SpiI, bob.SpiR));
        Assert.Equal("127.0.0.2", alice.RemoteId);
        Assert.Equal("aes128gcm16-prfsha256-x25519", alice.IkeProposal);
        StatusReport.ChildRow aliceChild = Assert.Single(alice.Children);
        StatusReport.ChildRow bobChild = Assert.Single(bob.Children);
        Assert.Equal(aliceChild.SpiOut, bobChild.SpiIn);
        Assert.Equal("10.1.0.0/24", aliceChild.LocalTs);
        Assert.Equal("aes128gcm16", aliceChild.EspProposal);

        ControlReply json = await p.Alice.StatusAsync();
        using var doc = System.Text.Json.JsonDocument.Parse(json.StatusJson!);
        System.Text.Json.JsonElement sa = doc.RootElement.GetProperty("ike_sas")[0];
        Assert.Equal("to-bob", sa.GetProperty("name").GetString());
        Assert.Equal("INSTALLED", sa.GetProperty("child_sas")[0].GetProperty("state").GetString());

        ControlReply down = await p.Alice.DownAsync("to-bob", 10);
        Assert.True(down.Ok, down.Message);
        Assert.Empty(await p.Alice.StatusRowsAsync());
        await WaitUntil(async () => (await p.Bob.StatusRowsAsync()).Count == 0);
    }

    [Fact]
    public async Task Forced_encapsulation_floats_to_the_nat_t_port_with_the_non_esp_marker()
    {
        await using LoopbackPair p = LoopbackPair.Start(port: 21510, aliceTweak: c => c with { Encap = true });
        ControlReply up = await p.Alice.UpAsync("to-bob", 10);
        Assert.True(up.Ok, up.Message);
        StatusReport.IkeRow alice = Assert.Single(await p.Alice.StatusRowsAsync());
        Assert.Equal("127.0.0.2:21511", alice.Remote);
        Core.Engine.ChildSaInstalled child = Assert.Single(p.AliceEvents.OfType<Core.Engine.ChildSaInstalled>());
        Assert.True(child.UdpEncapsulation);
    }

    [Fact]
    public async Task Wrong_psk_fails_with_a_reason_and_the_responder_keeps_serving()
    {
        await using LoopbackPair p = LoopbackPair.Start(port: 21520, bobPsk: "not-the-same-psk-at-all-000");
        ControlReply up = await p.Alice.UpAsync("to-bob", 10);
        Assert.False(up.Ok);
        Assert.Contains("AUTHENTICATION_FAILED", up.Message, StringComparison.Ordinal);
        Assert.Empty(await p.Alice.StatusRowsAsync());
        await WaitUntil(async () => (await p.Bob.StatusRowsAsync()).Count == 0);

        ControlReply unknown = await Assert.ThrowsAsync<ArgumentException>(() => p.Alice.UpAsync("nope", 1)).ContinueWith(t => new ControlReply(false, t.Result.Message));
        Assert.Contains("no connection named 'nope'; configured: to-bob", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_socket_is_root_only_and_answers_up_status_down_and_bad_requests()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ikesharp-test-" + Guid.NewGuid().ToString("N")[..8]);
        string socket = Path.Combine(dir, "ctl.sock");
        try
        {
            await using LoopbackPair p = LoopbackPair.Start(port: 21530, aliceSocket: socket);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));

            // Another user cannot even reach the socket: connect(2) as nobody fails with EACCES.
            // (setpriv from util-linux drops to uid/gid 65534; python3 makes the one connect call.)
            var probe = new System.Diagnostics.ProcessStartInfo("setpriv") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c",
                "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n s.connect(sys.argv[1]); print('connected')\nexcept PermissionError: print('denied')", socket })
            {
                probe.ArgumentList.Add(arg);
            }

            using (var process = System.Diagnostics.Process.Start(probe)!)
            {
                string said = (await process.StandardOutput.ReadToEndAsync()).Trim();
                await process.WaitForExitAsync();
                Assert.True(said == "denied", $"a non-root user's connect: '{said}' {await process.StandardError.ReadToEndAsync()}");
            }

            ControlReply up = await ControlClient.SendAsync(socket, new ControlRequest("up", "to-bob", 10));
            Assert.True(up.Ok, up.Message);
            ControlReply status = await ControlClient.SendAsync(socket, new ControlRequest("status"));
            Assert.Contains("to-bob: ESTABLISHED", status.Message, StringComparison.Ordinal);
            Assert.NotNull(status.StatusJson);

            // `status --counters`: the totals alone, no row per SA (bench/hold.sh reads it at 100,000 SAs).
            ControlReply counters = await ControlClient.SendAsync(socket, new ControlRequest("counters"));
            Assert.True(counters.Ok, counters.Message);
            Assert.Contains("ike_sas: 1\n", counters.Message, StringComparison.Ordinal);
            Assert.Contains("child_sas: 1\n", counters.Message, StringComparison.Ordinal);
            using (var doc = System.Text.Json.JsonDocument.Parse(counters.StatusJson!))
            {
                Assert.Equal(["counters"], doc.RootElement.EnumerateObject().Select(p => p.Name));
                Assert.Equal(1, doc.RootElement.GetProperty("counters").GetProperty("ike_sas").GetInt32());
                Assert.Equal(1, doc.RootElement.GetProperty("counters").GetProperty("child_sas").GetInt32());
                Assert.Equal(0, doc.RootElement.GetProperty("counters").GetProperty("dead_peers").GetInt32());
            }

            ControlReply bad = await ControlClient.SendAsync(socket, new ControlRequest("explode"));
            Assert.False(bad.Ok);
            Assert.Contains("unknown command 'explode'", bad.Message, StringComparison.Ordinal);

            ControlReply missing = await ControlClient.SendAsync(socket, new ControlRequest("down"));
            Assert.False(missing.Ok);
            Assert.Contains("down needs a connection name", missing.Message, StringComparison.Ordinal);

            ControlReply down = await ControlClient.SendAsync(socket, new ControlRequest("down", "to-bob", 10));
            Assert.True(down.Ok, down.Message);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }

        ControlException gone = await Assert.ThrowsAsync<ControlException>(() => ControlClient.SendAsync(socket, new ControlRequest("status")));
        Assert.Contains("is `ikesharp daemon` running?", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_datagrams_do_not_disturb_an_established_sa()
    {
        await using LoopbackPair p = LoopbackPair.Start(port: 21540);
        Assert.True((await p.Alice.UpAsync("to-bob", 10)).Ok);
        using var udp = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        var random = new Random(7);
        for (int i = 0; i < 500; i++)
        {
            byte[] junk = new byte[random.Next(0, 600)];
            random.NextBytes(junk);
            if (i % 3 == 0 && junk.Length >= 28)
            {
                junk[17] = 0x20;  // plausible version octet, so the header parser goes further
            }

            await udp.SendAsync(junk, new IPEndPoint(IPAddress.Parse("127.0.0.2"), 21540 + (i % 2)));
        }

        await Task.Delay(200);
        StatusReport.IkeRow bob = Assert.Single(await p.Bob.StatusRowsAsync());
        Assert.Equal("ESTABLISHED", bob.State);
        ControlReply down = await p.Alice.DownAsync("to-bob", 10);
        Assert.True(down.Ok, down.Message);
    }

    [Fact]
    public async Task Down_while_an_ike_sa_of_the_connection_is_already_being_deleted_waits_for_it_instead_of_failing()
    {
        await using LoopbackPair p = LoopbackPair.Start(port: 21950);
        ControlReply up = await p.Alice.UpAsync("to-bob", 10);
        Assert.True(up.Ok, up.Message);

        // Both commands reach the engine's mailbox before Bob can answer the first one's Delete, so
        // the second finds the IKE SA in Deleting, as `down` finds the old SA right after an IKE SA
        // rekey (RFC 7296 §2.8). It used to be refused with "not established".
        Task<ControlReply> first = p.Alice.DownAsync("to-bob", 10);
        Task<ControlReply> second = p.Alice.DownAsync("to-bob", 10);
        ControlReply[] replies = await Task.WhenAll(first, second);

        Assert.All(replies, r => Assert.True(r.Ok, r.Message));
        Assert.Equal("to-bob: 1 IKE SA(s) deleted", replies[0].Message);
        // Usually the second finds the SA in Deleting and waits for it; if Bob's answer overtook it
        // on a busy machine, the SA is already gone. Either way it is not refused.
        Assert.Contains(replies[1].Message, new[] { "to-bob: 1 IKE SA(s) deleted", "to-bob: no established IKE SA to close" });
        Assert.Empty(await p.Alice.StatusRowsAsync());
        await WaitUntil(async () => (await p.Bob.StatusRowsAsync()).Count == 0);
        ControlReply again = await p.Alice.DownAsync("to-bob", 10);
        Assert.True(again.Ok, again.Message);
        Assert.Equal("to-bob: no established IKE SA to close", again.Message);
    }

    internal static async Task WaitUntil(Func<Task<bool>> condition, int timeoutMs = 15000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met in time");
            await Task.Delay(20);
        }
    }
}

public class NatKeepaliveTests
{
    [Fact]
    public async Task The_side_behind_a_nat_or_forcing_encap_sends_keepalives_and_the_other_does_not()
    {
        await using LoopbackPair p = LoopbackPair.Start(port: 21560, aliceTweak: c => c with { Encap = true });
        p.Alice.Host.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
        p.Bob.Host.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
        Assert.True((await p.Alice.UpAsync("to-bob", 10)).Ok);
        await DaemonRuntimeTests.WaitUntil(() => Task.FromResult(p.Bob.Host.KeepalivesReceived >= 3));
        Assert.Equal(0, p.Alice.Host.KeepalivesReceived);
        Assert.Equal("ESTABLISHED", Assert.Single(await p.Bob.StatusRowsAsync()).State);
    }
}

public class StartActionTests
{
    [Fact]
    public async Task Start_action_start_brings_up_every_such_child_the_first_in_ike_auth_the_rest_with_create_child_sa()
    {
        static ConnectionConfig TwoChildren(ConnectionConfig c, string local2, string remote2, StartAction start) => c with
        {
            Children =
            [
                c.Children[0] with { StartAction = start },
                c.Children[0] with { Name = "net2", LocalTs = [Wire.Payloads.TrafficSelector.Subnet(local2)], RemoteTs = [Wire.Payloads.TrafficSelector.Subnet(remote2)], StartAction = start },
            ],
        };

        await using LoopbackPair p = LoopbackPair.Start(port: 21680,
            aliceTweak: c => TwoChildren(c, "10.1.1.0/24", "10.2.1.0/24", StartAction.Start),
            bobTweak: c => TwoChildren(c, "10.2.1.0/24", "10.1.1.0/24", StartAction.None));
        await DaemonRuntimeTests.WaitUntil(async () => (await p.Alice.StatusRowsAsync()) is [{ Children.Count: 2 }] && (await p.Bob.StatusRowsAsync()) is [{ Children.Count: 2 }]);
        StatusReport.IkeRow alice = Assert.Single(await p.Alice.StatusRowsAsync());
        Assert.Equal(["net", "net2"], alice.Children.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Contains(alice.Children, c => c.LocalTs == "10.1.1.0/24" && c.RemoteTs == "10.2.1.0/24");
    }
}

public class ControlProtocolTests
{
    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"command\": 7}")]
    [InlineData("{\"name\": \"x\"}")]
    [InlineData("{\"command\": \"up\"")]
    public void Malformed_requests_are_refused_with_a_reason_not_an_exception(string line)
    {
        ControlRequest? request = ControlRequest.Parse(System.Text.Encoding.UTF8.GetBytes(line), out string? error);
        Assert.Null(request);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public async Task A_garbage_line_on_the_control_socket_gets_a_bad_request_reply_and_the_server_keeps_serving()
    {
        string dir = Directory.CreateTempSubdirectory("ikesharp-ctl-").FullName;
        string path = Path.Combine(dir, "ctl.sock");
        try
        {
            await using LoopbackPair p = LoopbackPair.Start(port: 21690, aliceSocket: path);
            using (var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
            {
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
                await socket.SendAsync("\u0001\u0002garbage{{\n"u8.ToArray());
                byte[] reply = new byte[4096];
                int n = await socket.ReceiveAsync(reply);
                ControlReply parsed = ControlReply.Parse(System.Text.Encoding.UTF8.GetString(reply, 0, n));
                Assert.False(parsed.Ok);
                Assert.StartsWith("bad request: not JSON", parsed.Message, StringComparison.Ordinal);
            }

            Assert.True((await ControlClient.SendAsync(path, new ControlRequest("status"))).Ok);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
