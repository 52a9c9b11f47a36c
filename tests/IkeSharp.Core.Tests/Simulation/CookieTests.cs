using System.Net;
using IkeSharp.Core.Engine;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>RFC 7296 §2.6 cookies and strongSwan's half-open thresholds, from the responder's side.</summary>
public class CookieTests
{
    [Fact]
    public void Under_load_the_responder_answers_with_a_cookie_and_keeps_no_state_until_it_returns()
    {
        Pair p = Pair.Create(seed: 20, bobOptions: new EngineOptions { CookieThreshold = 0 });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet();

        Assert.Single(p.Alice.Events.OfType<IkeSaEstablished>());
        Assert.Single(p.Bob.Events.OfType<ChildSaInstalled>());

        // INIT, N(COOKIE), INIT with the cookie first, its response, IKE_AUTH request and response.
        Assert.Equal(6, p.Net.Sent);
        IkeMessage cookieResponse = IkeMessage.Decode(p.Bob.Transmitted[0].Datagram).Value;
        NotifyPayload cookie = Assert.IsType<NotifyPayload>(Assert.Single(cookieResponse.Payloads));
        Assert.Equal(NotifyType.Cookie, cookie.NotifyType);
        Assert.Equal(0ul, cookieResponse.ResponderSpi);
        IkeMessage retry = IkeMessage.Decode(p.Alice.Transmitted[1].Datagram).Value;
        Assert.Equal(cookie.Data.ToArray(), Assert.IsType<NotifyPayload>(retry.Payloads[0]).Data.ToArray());
        Assert.Equal(0u, retry.MessageId);
    }

    [Fact]
    public void A_duplicated_cookie_answer_brings_the_same_retry_twice_and_the_sa_still_comes_up()
    {
        Pair p = Pair.Create(seed: 24, bobOptions: new EngineOptions { CookieThreshold = 0 });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        Assert.True(p.Alice.Engine.TryPollTransmit(out Transmit init));

        // The first request arrives twice (a retransmission, a duplicating path): the stateless
        // responder answers each with a COOKIE, and both answers reach the initiator.
        var cookies = new List<Transmit>();
        for (int i = 0; i < 2; i++)
        {
            p.Bob.Engine.HandleDatagram(0, init.Remote, init.Local, init.Datagram);
            Assert.True(p.Bob.Engine.TryPollTransmit(out Transmit cookie));
            cookies.Add(cookie);
        }

        var retries = new List<byte[]>();
        foreach (Transmit cookie in cookies)
        {
            p.Alice.Engine.HandleDatagram(0, cookie.Remote, cookie.Local, cookie.Datagram);
            while (p.Alice.Engine.TryPollTransmit(out Transmit retry))
            {
                retries.Add(retry.Datagram);
            }
        }

        // §2.6: "all other payloads unchanged", so both retries are one message (same KE share), and
        // the responder's answer to either fits the initiator's key exchange.
        Assert.Equal(2, retries.Count);
        Assert.Equal(retries[0], retries[1]);
        foreach (byte[] retry in retries)
        {
            p.Bob.Engine.HandleDatagram(0, init.Remote, init.Local, retry);
        }

        p.Net.RunUntilQuiet();
        Assert.Single(p.Alice.Events.OfType<IkeSaEstablished>());
        Assert.Single(p.Bob.Events.OfType<ChildSaInstalled>());
        Assert.Equal(1, p.Bob.Engine.IkeSaCount);
    }

    [Fact]
    public void A_forged_cookie_gets_a_fresh_cookie_and_no_sa()
    {
        Pair p = Pair.Create(seed: 21, bobOptions: new EngineOptions { CookieThreshold = 0 });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        Assert.True(p.Alice.Engine.TryPollTransmit(out Transmit first));
        IkeMessage init = IkeMessage.Decode(first.Datagram).Value;
        var forged = new IkeMessage(init.InitiatorSpi, 0, ExchangeType.IkeSaInit, IkeFlags.Initiator, 0,
            [NotifyPayload.Cookie(new byte[17]), .. init.Payloads]);

        p.Bob.Engine.HandleDatagram(0, first.Remote, first.Local, forged.ToArray());
        Assert.True(p.Bob.Engine.TryPollTransmit(out Transmit answer));
        Assert.Equal(NotifyType.Cookie, Assert.IsType<NotifyPayload>(Assert.Single(IkeMessage.Decode(answer.Datagram).Value.Payloads)).NotifyType);
        Assert.Equal(0, p.Bob.Engine.IkeSaCount);
    }

    [Fact]
    public void Half_open_sas_from_one_address_trigger_cookies_then_blocking_and_expire()
    {
        Pair p = Pair.Create(seed: 22);
        var bob = p.Bob.Engine;
        var from = new IPEndPoint(Pair.AliceAddress, 500);
        var to = new IPEndPoint(Pair.BobAddress, 500);
        var kinds = new List<string>();
        for (int i = 0; i < 8; i++)
        {
            // A fresh initiator (new SPIi) that never completes IKE_AUTH.
            Pair other = Pair.Create(seed: 100 + i);
            other.Alice.Engine.Execute(new Initiate("site-b"), 0);
            Assert.True(other.Alice.Engine.TryPollTransmit(out Transmit init));
            bob.HandleDatagram(0, to, from, init.Datagram);
            kinds.Add(bob.TryPollTransmit(out Transmit reply)
                ? IkeMessage.Decode(reply.Datagram).Value.Payloads[0] is NotifyPayload { NotifyType: NotifyType.Cookie } ? "cookie" : "sa"
                : "dropped");
        }

        // cookie_threshold_ip = 3: the first three get SAs; then only cookies (which these initiators never return).
        Assert.Equal(["sa", "sa", "sa", "cookie", "cookie", "cookie", "cookie", "cookie"], kinds);
        Assert.Equal(3, bob.HalfOpenCount);

        bob.HandleTimeout(IkeEngine.HalfOpenTimeoutMs);
        Assert.Equal(0, bob.HalfOpenCount);
        Assert.Equal(0, bob.IkeSaCount);
    }

    [Fact]
    public void Block_threshold_drops_requests_from_an_address_with_too_many_half_open_sas()
    {
        Pair p = Pair.Create(seed: 23, bobOptions: new EngineOptions { CookieThresholdPerAddress = 100, BlockThreshold = 2 });
        var from = new IPEndPoint(Pair.AliceAddress, 500);
        var to = new IPEndPoint(Pair.BobAddress, 500);
        int answered = 0;
        for (int i = 0; i < 5; i++)
        {
            Pair other = Pair.Create(seed: 200 + i);
            other.Alice.Engine.Execute(new Initiate("site-b"), 0);
            Assert.True(other.Alice.Engine.TryPollTransmit(out Transmit init));
            p.Bob.Engine.HandleDatagram(0, to, from, init.Datagram);
            answered += p.Bob.Engine.TryPollTransmit(out _) ? 1 : 0;
        }

        Assert.Equal(2, answered);
        Assert.Equal(3, p.Bob.Engine.Dropped["IKE_SA_INIT from an address over block_threshold"]);
    }
}
