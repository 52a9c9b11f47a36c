namespace IkeSharp.Esp;

/// <summary>What the anti-replay window says about a sequence number (RFC 4303 §3.4.3).</summary>
public enum ReplayCheck
{
    /// <summary>Right of the window, or inside it and not yet received.</summary>
    New,

    /// <summary>Inside the window and already received.</summary>
    Duplicate,

    /// <summary>Left of the window (or 0, which is never sent: the first packet is 1, RFC 4303 §3.3.3).</summary>
    TooOld,
}

/// <summary>
/// The receiver's anti-replay window (RFC 4303 §3.4.3, Appendix A): the highest sequence number
/// authenticated so far and a bitmap of the <see cref="Size"/> numbers up to it. Checking is
/// separate from committing, because the window may only move after the ICV has verified
/// (RFC 4303 §3.4.3). Both are O(1); the bitmap is allocated at the first commit (an SA that never
/// receives a packet, as most of a daemon's 100,000 idle SAs, holds none: 280 octets each at the
/// default size), nothing after.
/// </summary>
/// <remarks>
/// The bitmap is a ring of 64-bit blocks with one block more than the window needs (the layout of
/// RFC 6479), so moving the window clears whole blocks instead of shifting bits. Sequence numbers
/// are 64-bit: with ESN, <see cref="InferSequenceNumber"/> supplies the high half (Appendix A2.2).
/// Not thread-safe: one receiving thread per SA.
/// </remarks>
public sealed class ReplayWindow
{
    /// <summary>What RFC 4303 §3.4.3 calls a reasonable default is 32; IkeSharp uses 1024, as fast links reorder.</summary>
    public const int DefaultSize = 1024;

    private readonly int blockCount;
    private readonly ulong blockMask;
    private ulong[]? blocks;
    private ulong highest;

    /// <param name="size">Packets in the window, any size from 1 (multiples of 64 waste no bits).</param>
    public ReplayWindow(int size = DefaultSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
        int needed = ((size + 63) / 64) + 1;
        int count = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)needed);
        blockCount = count;
        blockMask = (ulong)count - 1;
    }

    public int Size { get; }

    /// <summary>The highest sequence number committed; 0 before the first.</summary>
    public ulong Highest => highest;

    /// <summary>Whether <paramref name="sequenceNumber"/> may be accepted, without changing anything.</summary>
    public ReplayCheck Check(ulong sequenceNumber)
    {
        if (sequenceNumber == 0)
        {
            return ReplayCheck.TooOld;
        }

        if (sequenceNumber > highest)
        {
            return ReplayCheck.New;
        }

        if (highest - sequenceNumber >= (ulong)Size)
        {
            return ReplayCheck.TooOld;
        }

        // Not yet allocated only while nothing was committed: highest is 0 then, and every non-zero number was New above.
        ulong block = blocks![(sequenceNumber >> 6) & blockMask];
        return ((block >> (int)(sequenceNumber & 63)) & 1) != 0 ? ReplayCheck.Duplicate : ReplayCheck.New;
    }

    /// <summary>
    /// Records <paramref name="sequenceNumber"/> as received, after its ICV has verified, moving
    /// the window right when it is new and highest. Checks again and changes nothing unless the
    /// answer is <see cref="ReplayCheck.New"/>, which it returns.
    /// </summary>
    public ReplayCheck Commit(ulong sequenceNumber)
    {
        ReplayCheck check = Check(sequenceNumber);
        if (check != ReplayCheck.New)
        {
            return check;
        }

        blocks ??= new ulong[blockCount];
        if (sequenceNumber > highest)
        {
            ulong oldBlock = highest >> 6;
            ulong newBlock = sequenceNumber >> 6;
            ulong moved = newBlock - oldBlock;
            if (moved >= (ulong)blocks.Length)
            {
                Array.Clear(blocks);
            }
            else
            {
                for (ulong i = 1; i <= moved; i++)
                {
                    blocks[(oldBlock + i) & blockMask] = 0;
                }
            }

            highest = sequenceNumber;
        }

        blocks[(sequenceNumber >> 6) & blockMask] |= 1UL << (int)(sequenceNumber & 63);
        return ReplayCheck.New;
    }

    /// <summary>
    /// The full 64-bit sequence number for the low 32 bits received with ESN (RFC 4303 Appendix
    /// A2.2): the high half is the window's, one more when the low half is right of a window that
    /// sits within one 2^32 subspace and has wrapped, one less when the window straddles two
    /// subspaces and the low half falls in its older part. A wrong guess fails the ICV.
    /// </summary>
    public ulong InferSequenceNumber(uint low)
    {
        uint tl = (uint)highest;
        uint th = (uint)(highest >> 32);
        uint w = (uint)Size;
        uint bottom = unchecked(tl - w + 1);
        uint high;
        if (tl >= w - 1)
        {
            // Case A: the window lies within one subspace.
            high = low >= bottom ? th : unchecked(th + 1);
        }
        else
        {
            // Case B: the window spans two subspaces (or starts at 0, where there is no older one).
            high = low >= bottom && th > 0 ? th - 1 : th;
        }

        return ((ulong)high << 32) | low;
    }
}
