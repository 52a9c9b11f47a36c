using IkeSharp.Daemon.Hosting;

namespace IkeSharp.Daemon.Tests.Hosting;

public class LogRateLimitTests
{
    [Fact]
    public void At_most_the_limit_per_second_and_the_rest_is_counted_for_the_next_second()
    {
        var limit = new LogRateLimit(3);
        int allowed = 0;
        for (int i = 0; i < 100; i++)
        {
            if (limit.Allow(500 + i, out long held))
            {
                allowed++;
                Assert.Equal(0, held);
            }
        }

        Assert.Equal(3, allowed);
        Assert.True(limit.Allow(1500, out long report));
        Assert.Equal(97, report);
        Assert.True(limit.Allow(1501, out long none));
        Assert.Equal(0, none);
    }
}
