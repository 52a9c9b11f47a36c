namespace IkeSharp.Esp.Tests;

/// <summary>RFC 4303 §3.4.3 and Appendix A: the window as a table of arrivals and answers.</summary>
public class ReplayWindowTests
{
    private const ReplayCheck N = ReplayCheck.New;
    private const ReplayCheck D = ReplayCheck.Duplicate;
    private const ReplayCheck O = ReplayCheck.TooOld;

    public static TheoryData<int, ulong[], ReplayCheck[]> Arrivals => new()
    {
        // in order
        { 64, [1, 2, 3, 4, 5], [N, N, N, N, N] },
        // zero is never sent
        { 64, [0, 1, 0], [O, N, O] },
        // duplicates, right away and later
        { 64, [1, 2, 2, 3, 1, 3], [N, N, D, N, D, D] },
        // reordering inside the window
        { 64, [5, 3, 4, 1, 2, 4], [N, N, N, N, N, D] },
        // the left edge: highest 100, window 64 holds 37..100
        { 64, [100, 37, 36, 37, 1], [N, N, O, D, O] },
        // a far jump clears the old bits; what was seen before is now too old
        { 64, [1, 2, 3, 1_000_000, 3, 999_937, 999_936, 1_000_000], [N, N, N, N, O, N, O, D] },
        // a jump of exactly one ring's worth does not resurrect old bits
        { 64, [10, 10 + 128, 10 + 64 + 1, 10 + 64 + 2, 10 + 128 - 64, 10 + 128 - 63], [N, N, N, N, O, D] },
        // window that is not a multiple of 64
        { 100, [200, 101, 100, 150, 150], [N, N, O, N, D] },
        // window of one: only strictly increasing numbers pass
        { 1, [5, 4, 5, 6], [N, O, D, N] },
        // the default size
        { 1024, [5000, 3977, 3976, 4500, 4500], [N, N, O, N, D] },
    };

    [Theory]
    [MemberData(nameof(Arrivals))]
    public void Each_arrival_gets_the_rfc_answer(int size, ulong[] arrivals, ReplayCheck[] expected)
    {
        var window = new ReplayWindow(size);
        for (int i = 0; i < arrivals.Length; i++)
        {
            Assert.Equal(expected[i], window.Check(arrivals[i]));
            Assert.Equal(expected[i], window.Commit(arrivals[i]));
        }
    }

    [Fact]
    public void Check_alone_changes_nothing()
    {
        var window = new ReplayWindow();
        Assert.Equal(N, window.Check(10));
        Assert.Equal(N, window.Check(10));
        Assert.Equal(0UL, window.Highest);
        window.Commit(10);
        Assert.Equal(10UL, window.Highest);
        Assert.Equal(D, window.Check(10));
    }

    [Fact]
    public void Matches_a_naive_set_model_on_random_arrivals()
    {
        foreach (int size in new[] { 1, 32, 64, 65, 100, 1024, 4096 })
        {
            var window = new ReplayWindow(size);
            var seen = new HashSet<ulong>();
            ulong highest = 0;
            var random = new Random(size);
            ulong cursor = 1;
            for (int i = 0; i < 20_000; i++)
            {
                cursor += (ulong)random.Next(0, 3);
                ulong seq = random.Next(10) switch
                {
                    0 => cursor + (ulong)random.Next(0, 5000),               // jump ahead
                    1 => cursor > 3000 ? cursor - (ulong)random.Next(0, 3000) : 1, // late
                    _ => cursor + (ulong)random.Next(0, 40) - 20 is var s and > 0 and < ulong.MaxValue / 2 ? s : 1,
                };
                ReplayCheck model = seq == 0 ? O : seq > highest ? N : highest - seq >= (ulong)size ? O : seen.Contains(seq) ? D : N;
                Assert.Equal(model, window.Commit(seq));
                if (model == N)
                {
                    seen.Add(seq);
                    highest = Math.Max(highest, seq);
                }

                cursor = Math.Max(cursor, highest);
            }
        }
    }

    public static TheoryData<ulong, uint, ulong> EsnInference => new()
    {
        // Case A (window within one subspace): Tl = 0x1000, W = 1024.
        { 0x0000_0000_0000_1000, 0x0000_1000, 0x0000_0000_0000_1000 },
        { 0x0000_0000_0000_1000, 0x0000_0C01, 0x0000_0000_0000_0C01 },   // bottom of the window
        { 0x0000_0000_0000_1000, 0x0000_0C00, 0x0000_0001_0000_0C00 },   // left of it: assumed wrapped ahead
        { 0x0000_0000_0000_1000, 0xFFFF_FFFF, 0x0000_0000_FFFF_FFFF },   // ahead, same subspace
        { 0x0000_0003_FFFF_FFF0, 0x0000_0005, 0x0000_0004_0000_0005 },   // just wrapped
        // Case B (window straddles two subspaces): Tl = 5.
        { 0x0000_0004_0000_0005, 0xFFFF_FFF8, 0x0000_0003_FFFF_FFF8 },   // late, from before the wrap
        { 0x0000_0004_0000_0005, 0x0000_0003, 0x0000_0004_0000_0003 },
        { 0x0000_0004_0000_0005, 0x0000_9000, 0x0000_0004_0000_9000 },   // ahead
        // At the start there is no older subspace.
        { 0, 0xFFFF_FFF0, 0x0000_0000_FFFF_FFF0 },
        { 0, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(EsnInference))]
    public void Esn_high_half_is_inferred_as_appendix_a2_says(ulong highest, uint low, ulong expected)
    {
        var window = new ReplayWindow(1024);
        if (highest != 0)
        {
            window.Commit(highest);
        }

        Assert.Equal(expected, window.InferSequenceNumber(low));
    }

    [Fact]
    public void Esn_wrap_keeps_the_window_across_the_boundary()
    {
        var window = new ReplayWindow(64);
        ulong Arrive(uint low) => window.InferSequenceNumber(low) is var s && window.Commit(s) == N ? s : 0;

        Assert.Equal(0xFFFF_FFF0UL, Arrive(0xFFFF_FFF0));
        Assert.Equal(0x1_0000_0002UL, Arrive(2));           // wrapped
        Assert.Equal(0xFFFF_FFFEUL, Arrive(0xFFFF_FFFE));    // late packet from before the wrap
        Assert.Equal(0UL, Arrive(0xFFFF_FFFE));              // and its duplicate is refused
        Assert.Equal(0x1_0000_0001UL, Arrive(1));
        Assert.Equal(0x1_0000_0000UL, Arrive(0));            // low half 0 is fine in the new subspace
        Assert.Equal(0UL, Arrive(2));
    }

    [Fact]
    public void Sizes_below_one_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayWindow(0));
}
