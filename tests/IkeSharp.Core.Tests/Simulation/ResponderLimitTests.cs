using System.Net;
using IkeSharp.Core.Engine;

namespace IkeSharp.Core.Tests.Simulation;

/// <summary>
/// The responder's limits against hostile or runaway peers: failed authentications per address,
/// IKE SAs per identity and in all, and INFORMATIONAL requests per IKE SA.
/// </summary>
public class ResponderLimitTests
{
    private const string AuthBlocked = "IKE_SA_INIT from an address over auth_failure_limit";

    [Fact]
    public void An_address_that_fails_authentication_too_often_is_ignored_until_its_window_passes()
    {
        Pair p = Pair.Create(80, alicePsk: "a-wrong-guess-of-the-psk-000", bobOptions: new EngineOptions { AuthFailureLimit = 2, AuthFailureWindow = TimeSpan.FromSeconds(60) });
        for (int i = 0; i < 3; i++)
        {
            p.Alice.Engine.Execute(new Initiate("site-b"), p.Net.Now);
            p.Net.RunUntilQuiet(until: p.Net.Now + 1_000);
        }

        // Two failed IKE_AUTHs, then the third IKE_SA_INIT is dropped without an answer.
        Assert.Equal(2, p.Alice.Events.OfType<AuthFailed>().Count(f => f.Reason.Contains("AUTHENTICATION_FAILED", StringComparison.Ordinal)));
        Assert.True(p.Bob.Engine.Dropped.GetValueOrDefault(AuthBlocked) >= 1);
        Assert.Equal(0, p.Bob.Engine.IkeSaCount);

        // A minute after the first failure the address may try again.
        p.Net.RunUntilQuiet(until: p.Net.Now + 200_000);
        int droppedBefore = p.Bob.Engine.Dropped.GetValueOrDefault(AuthBlocked);
        p.Alice.Engine.Execute(new Initiate("site-b"), p.Net.Now);
        p.Net.RunUntilQuiet(until: p.Net.Now + 1_000);
        Assert.Equal(droppedBefore, p.Bob.Engine.Dropped.GetValueOrDefault(AuthBlocked));
    }

    [Fact]
    public void Failures_from_one_address_do_not_block_another()
    {
        var limiter = new AuthFailureLimiter(limit: 2, windowMs: 1000);
        IPAddress a = IPAddress.Parse("192.0.2.1");
        IPAddress b = IPAddress.Parse("192.0.2.2");
        limiter.Record(a, 0);
        Assert.False(limiter.IsBlocked(a, 10));
        limiter.Record(a, 20);
        Assert.True(limiter.IsBlocked(a, 30));
        Assert.False(limiter.IsBlocked(b, 30));
        Assert.False(limiter.IsBlocked(a, 1000));
    }

    [Fact]
    public void The_failure_table_stays_bounded_under_many_addresses()
    {
        var limiter = new AuthFailureLimiter(limit: 1, windowMs: 1000, capacity: 100);
        for (int i = 0; i < 10_000; i++)
        {
            limiter.Record(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)), i / 100);
        }

        Assert.True(limiter.Count <= 100, $"{limiter.Count} entries");

        // Once the window has passed, expired entries make room for new ones.
        IPAddress late = IPAddress.Parse("198.51.100.7");
        limiter.Record(late, 5000);
        Assert.True(limiter.IsBlocked(late, 5001));
    }

    [Fact]
    public void A_second_ike_sa_of_one_identity_fails_when_the_limit_is_one()
    {
        Pair p = Pair.Create(81, c => c with { SendInitialContact = false }, bobOptions: new EngineOptions { IkeSasPerIdentity = 1 });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet(until: 5_000);
        p.Alice.Engine.Execute(new Initiate("site-b"), p.Net.Now);
        p.Net.RunUntilQuiet(until: p.Net.Now + 5_000);

        Assert.Equal(1, p.Bob.Engine.IkeSaCount);
        Assert.Equal(1, p.Alice.Engine.IkeSaCount);
        Assert.Contains(p.Bob.Events.OfType<NegotiationFailed>(), f => f.Reason.Contains("ike_sas_per_identity = 1", StringComparison.Ordinal));
        Assert.Contains(p.Alice.Events.OfType<AuthFailed>(), f => f.Reason.Contains("AUTHENTICATION_FAILED", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_per_identity_limit_one_identity_may_hold_many_ike_sas()
    {
        Pair p = Pair.Create(82, c => c with { SendInitialContact = false });
        for (int i = 0; i < 5; i++)
        {
            p.Alice.Engine.Execute(new Initiate("site-b"), p.Net.Now);
            p.Net.RunUntilQuiet(until: p.Net.Now + 5_000);
        }

        Assert.Equal(5, p.Bob.Engine.IkeSaCount);
    }

    [Fact]
    public void The_ike_sa_limit_drops_new_ike_sa_init_requests()
    {
        Pair p = Pair.Create(83, c => c with { SendInitialContact = false }, bobOptions: new EngineOptions { IkeSaLimit = 2 });
        for (int i = 0; i < 3; i++)
        {
            p.Alice.Engine.Execute(new Initiate("site-b"), p.Net.Now);
            p.Net.RunUntilQuiet(until: p.Net.Now + 5_000);
        }

        Assert.Equal(2, p.Bob.Engine.IkeSaCount);
        Assert.True(p.Bob.Engine.Dropped.GetValueOrDefault("IKE_SA_INIT over ikesa_limit") >= 1);
    }

    [Fact]
    public void Informational_requests_beyond_the_rate_limit_go_unanswered_until_the_window_passes()
    {
        Pair p = Pair.Create(84, bobOptions: new EngineOptions { InformationalLimit = 3 });
        p.Alice.Engine.Execute(new Initiate("site-b"), 0);
        p.Net.RunUntilQuiet(until: 5_000);
        ulong spi = p.Alice.Engine.IkeSas[0].SpiI;
        for (int i = 0; i < 5; i++)
        {
            p.Alice.Engine.Execute(new CheckLiveness(spi), p.Net.Now);
        }

        p.Net.RunUntilQuiet(until: p.Net.Now + 1_000);
        Assert.Equal(1, p.Bob.Engine.Dropped.GetValueOrDefault("INFORMATIONAL over the rate limit"));

        // Alice retransmits; after the 10 s window Bob answers, and the IKE SA lives on.
        p.Net.RunUntilQuiet(until: p.Net.Now + 60_000);
        Assert.Equal(1, p.Alice.Engine.IkeSaCount);
        Assert.Equal(1, p.Bob.Engine.IkeSaCount);
        Assert.Empty(p.Alice.Events.OfType<IkeSaDeleted>());
    }
}
