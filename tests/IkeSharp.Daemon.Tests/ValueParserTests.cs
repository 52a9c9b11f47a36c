using IkeSharp.Daemon.Config;

namespace IkeSharp.Daemon.Tests;

public class ValueParserTests
{
    [Theory]
    [InlineData("4h", 4 * 3600)]
    [InlineData("30m", 1800)]
    [InlineData("10s", 10)]
    [InlineData("1d", 86400)]
    [InlineData("90", 90)]
    [InlineData(" 0 ", 0)]
    public void Durations_read_like_swanctl(string text, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), ConfigValues.ParseDuration(text, out string? error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("4x")]
    [InlineData("h")]
    [InlineData("-5s")]
    [InlineData("1.5h")]
    [InlineData("")]
    public void Bad_durations_are_refused(string text)
    {
        Assert.Null(ConfigValues.ParseDuration(text, out string? error));
        Assert.Contains("is not a duration", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1G", 1UL << 30)]
    [InlineData("500M", 500UL << 20)]
    [InlineData("100k", 100UL << 10)]
    [InlineData("12345", 12345UL)]
    public void Sizes_use_binary_suffixes(string text, ulong expected) => Assert.Equal(expected, ConfigValues.ParseSize(text, out _));

    [Theory]
    [InlineData("10.1.0.0/24", "10.1.0.0/24")]
    [InlineData("10.1.0.7", "10.1.0.7/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("10.1.0.0/24[tcp/80]", "10.1.0.0/24[tcp/80]")]
    [InlineData("10.1.0.0/24[udp/1024-65535]", "10.1.0.0/24[udp/1024-65535]")]
    [InlineData("10.1.0.0/24[icmp]", "10.1.0.0/24[icmp]")]
    [InlineData("10.1.0.0/24[17/500]", "10.1.0.0/24[udp/500]")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("::/0", "::/0")]
    [InlineData("10.0.0.1..10.0.0.9", "10.0.0.1..10.0.0.9")]
    public void Selectors_round_trip_through_strongswan_notation(string text, string shown)
    {
        TrafficSelectorParseResult result = TrafficSelectorParser.Parse(text);
        Assert.Null(result.Error);
        Assert.Equal(shown, result.Selector!.ToString());
    }

    [Fact]
    public void Dynamic_is_a_marker_not_a_selector()
    {
        TrafficSelectorParseResult result = TrafficSelectorParser.Parse("dynamic");
        Assert.True(result.IsDynamic);
        Assert.Null(result.Selector);
    }

    [Theory]
    [InlineData("10.0.0.9..10.0.0.1", "starts after it ends")]
    [InlineData("10.0.0.1..2001:db8::1", "mixes IPv4 and IPv6")]
    [InlineData("10.1.0.0/24[tcp", "opens '['")]
    [InlineData("10.1.0.0/24[tcp/99999]", "not a number from 0 to 65535")]
    [InlineData("10.1.0.0/24[tcp/90-80]", "starts after it ends")]
    [InlineData("dynamic[tcp/80]", "not supported")]
    [InlineData("10", "not an IP address")]
    [InlineData("10.1.0.0/x", "not a number from 0 to 32")]
    public void Bad_selectors_say_why(string text, string fragment) =>
        Assert.Contains(fragment, TrafficSelectorParser.Parse(text).Error, StringComparison.Ordinal);
}
