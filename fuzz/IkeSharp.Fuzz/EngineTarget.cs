using System.Buffers.Binary;
using System.Net;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Sa;
using IkeSharp.Crypto.KeySchedule;
using IkeSharp.Wire;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Fuzz;

/// <summary>
/// <c>responder</c> and <c>initiator</c>: IkeEngine.HandleDatagram of one engine (bob, the
/// responder, or alice, the initiator) fed by the fuzzer in place of its peer.
/// <para>
/// Input octet 0 picks the stage the target starts in (its value modulo 3): 0, fresh (bob has heard
/// nothing; alice has just sent IKE_SA_INIT); 1, IKE_SA_INIT done (alice has sent IKE_AUTH, bob
/// awaits it); 2, IKE SA and first Child SA established; and how the engines authenticate (its value
/// divided by 3, modulo 2): 0, PSK; 1, ECDSA certificates (<see cref="FuzzPki"/>), so IKE_AUTH
/// carries CERT, CERTREQ and signature AUTH. The rest is records (see <see cref="Records"/>); the first octet
/// of each says what it is:
/// </para>
/// <list type="bullet">
/// <item>kind 0: a raw datagram to the target (flag 0x10: its SPIs are overwritten with the
/// target's; flag 0x20: it comes from another address and port);</item>
/// <item>kind 1: a message the harness seals with the peer's SK keys: exchange type, message ID,
/// flags (0x01 response), first inner payload type, then the inner payload chain (it must decode);</item>
/// <item>kind 2: time passes (octet 1 in seconds, octet 2 in minutes) and HandleTimeout runs;</item>
/// <item>kind 3: the real peer answers: queued datagrams are delivered both ways once;</item>
/// <item>kind 4: a command to the target's first IKE SA (octet 1 chooses which).</item>
/// </list>
/// </summary>
internal static class EngineTarget
{
    public static void Run(byte[] input, bool targetIsResponder)
    {
        if (input.Length < 1)
        {
            return;
        }

        using var lab = new EngineLab(certificates: input[0] / 3 % 2 == 1);
        int stage = input[0] % 3;
        IkeEngine target = targetIsResponder ? lab.Bob : lab.Alice;
        IPEndPoint targetEndpoint = targetIsResponder ? EngineLab.BobEndpoint : EngineLab.AliceEndpoint;
        IPEndPoint peerEndpoint = targetIsResponder ? EngineLab.AliceEndpoint : EngineLab.BobEndpoint;
        if (stage >= 1 || !targetIsResponder)
        {
            lab.Alice.Execute(new Initiate("site-b"), lab.Now);
            lab.Pump();
        }

        if (stage >= 1)
        {
            lab.DeliverToBob();
            lab.DeliverToAlice();
        }

        if (stage >= 2)
        {
            lab.DeliverToBob();
            lab.DeliverToAlice();
        }

        foreach (ReadOnlyMemory<byte> record in Records.Split(input.AsMemory(1)))
        {
            if (record.Length == 0)
            {
                continue;
            }

            ReadOnlySpan<byte> r = record.Span;
            switch (r[0] & 0x0f)
            {
                case 0:
                    byte[] datagram = r[1..].ToArray();
                    if ((r[0] & 0x10) != 0 && target.IkeSas.FirstOrDefault() is { } sa && datagram.Length >= 16)
                    {
                        BinaryPrimitives.WriteUInt64BigEndian(datagram, sa.SpiI);
                        BinaryPrimitives.WriteUInt64BigEndian(datagram.AsSpan(8), sa.SpiR);
                    }

                    target.HandleDatagram(lab.Now, targetEndpoint, (r[0] & 0x20) != 0 ? EngineLab.StrangerEndpoint : peerEndpoint, datagram);
                    break;
                case 1:
                    if (r.Length >= 5 && Seal(lab, peerIsInitiator: targetIsResponder, r) is { } sealedDatagram)
                    {
                        target.HandleDatagram(lab.Now, targetEndpoint, peerEndpoint, sealedDatagram);
                    }

                    break;
                case 2:
                    lab.Now += (r.Length > 1 ? r[1] * 1000L : 1000L) + (r.Length > 2 ? r[2] * 60_000L : 0);
                    target.HandleTimeout(lab.Now);
                    break;
                case 3:
                    if (targetIsResponder)
                    {
                        lab.DeliverToBob();
                        lab.DeliverToAlice();
                    }
                    else
                    {
                        lab.DeliverToAlice();
                        lab.DeliverToBob();
                    }

                    break;
                case 4:
                    Command(lab, target, r.Length > 1 ? r[1] : (byte)0);
                    break;
                default:
                    break;
            }

            lab.Pump();
            // The target's own datagrams are not delivered to the real peer unless a kind-3 record
            // says so; what it sends must be a message that decodes.
            foreach (byte[] sent in targetIsResponder ? lab.ToAlice : lab.ToBob)
            {
                if (!IkeMessage.Decode(sent).IsSuccess)
                {
                    throw new InvalidOperationException($"the engine sent a message that does not decode: {Convert.ToHexString(sent)}");
                }
            }
        }

        if (Environment.GetEnvironmentVariable("IKESHARP_FUZZ_VERBOSE") is not null)
        {
            // Triage aid (replay only): where the input left the target.
            Console.WriteLine($"IKE SAs: {string.Join(", ", target.IkeSas.Select(s => $"{s.State} children={s.Children.Count}"))}; dropped: {string.Join(", ", target.Dropped.Select(d => $"{d.Key}={d.Value}"))}");
        }
    }

    /// <summary>A message sealed with the keys of the peer (the original initiator when <paramref name="peerIsInitiator"/>).</summary>
    private static byte[]? Seal(EngineLab lab, bool peerIsInitiator, ReadOnlySpan<byte> r)
    {
        if (lab.Keys is not { } keys || lab.Sender(peerIsInitiator) is not { } sender)
        {
            return null;
        }

        var exchange = (ExchangeType)r[1];
        uint messageId = r[2];
        bool response = (r[3] & 1) != 0;
        var first = (PayloadType)r[4];
        DecodeResult<Payload[]> inner = PayloadChain.Decode(first, r[5..].ToArray(), 0, allowEncrypted: false);
        if (!inner.TryGetValue(out Payload[] payloads))
        {
            return null;
        }

        IkeFlags flags = (peerIsInitiator ? IkeFlags.Initiator : 0) | (response ? IkeFlags.Response : 0);
        if (sender.SealedLength(payloads) > ushort.MaxValue)
        {
            return null;
        }

        return sender.Seal(keys.SpiI, keys.SpiR, exchange, flags, messageId, payloads);
    }

    private static void Command(EngineLab lab, IkeEngine target, byte which)
    {
        if (target.IkeSas.FirstOrDefault(s => s.State == IkeSaState.Established) is not { } sa)
        {
            return;
        }

        ulong localSpi = sa.IsInitiator ? sa.SpiI : sa.SpiR;
        ChildSaInfo? child = sa.Children.FirstOrDefault();
        IkeCommand? command = (which % 6) switch
        {
            0 => new DeleteIkeSa(localSpi),
            1 => new CheckLiveness(localSpi),
            2 => new CreateChildSa(localSpi, "net"),
            3 => child is null ? null : new RekeyChildSa(localSpi, child.SpiIn),
            4 => child is null ? null : new DeleteChildSa(localSpi, child.SpiIn),
            _ => new RekeyIkeSa(localSpi),
        };
        if (command is null)
        {
            return;
        }

        try
        {
            target.Execute(command, lab.Now);
        }
        catch (ArgumentException)
        {
            // The owner's API: a command for an SA or Child SA that is not (or no longer) in a
            // state to take it is refused with ArgumentException, by contract. Not a finding.
        }
    }
}
