using IkeSharp.Core.Engine;
using IkeSharp.Core.Sa;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Exchanges;

/// <summary>
/// INFORMATIONAL (RFC 7296 §1.4): a Delete of the IKE SA (§1.4.1), Deletes of Child SAs answered
/// with the paired SPIs, and the empty request of a liveness check. The responder answers every
/// request, even one it cannot act on.
/// </summary>
internal sealed class InformationalTask(IkeSa sa, EngineContext context, InformationalKind kind, ChildSa? child = null) : IExchangeTask
{
    private readonly List<uint> deletedChildren = [];

    /// <summary>True after the exchange when the IKE SA must go (we deleted it, or the peer did).</summary>
    public bool DeletesIkeSa { get; private set; }

    /// <summary>Child SAs the peer deleted (not as part of a rekey): their close_action applies.</summary>
    public List<Policy.ChildConfig> ClosedByPeer { get; } = [];

    public void BuildRequest(MessageBuilder request)
    {
        if (kind == InformationalKind.DeleteIkeSa)
        {
            request.Add(DeletePayload.IkeSa());
        }
        else if (kind == InformationalKind.DeleteChildSa)
        {
            // §1.4.1: we name our inbound SPI; the peer answers with its own of the pair.
            request.Add(DeletePayload.ChildSas(SecurityProtocol.Esp, child!.SpiIn));
        }
    }

    public TaskResult ProcessResponse(ReceivedMessage response)
    {
        DeletesIkeSa = kind == InformationalKind.DeleteIkeSa;
        if (kind == InformationalKind.Liveness)
        {
            context.Counters.LivenessAnswered++;
        }

        if (kind == InformationalKind.DeleteChildSa && sa.Children.Contains(child!))
        {
            Forget(child!, "deleted by us", SaCloseCause.Local);
        }

        return TaskResult.Done;
    }

    public TaskResult ProcessRequest(ReceivedMessage request)
    {
        if (request.Notify(NotifyType.AuthenticationFailed) is not null)
        {
            // RFC 7296 §2.21.2: an initiator that refuses the responder's authentication may say so
            // in a separate INFORMATIONAL request carrying only AUTHENTICATION_FAILED (strongSwan
            // does). The peer has dropped the IKE SA and its Child SAs: ours go too, as a failed
            // IKE_AUTH (no close_action, no restart), and the owner is told why.
            context.Raise(new AuthFailed(context.Now, sa.Config.Name,
                $"the peer {sa.Remote} refused our authentication as {sa.LocalId} (AUTHENTICATION_FAILED in an INFORMATIONAL request, RFC 7296 §2.21.2): check the certificates and IDs on both sides"));
            sa.State = IkeSaState.Deleting;
            DeletesIkeSa = true;
            return TaskResult.Done;
        }

        if (request.Payloads.Count == 0)
        {
            // An empty INFORMATIONAL request is the peer's liveness check (§1.4); the empty response answers it.
            context.Counters.PeerLivenessChecks++;
        }

        foreach (DeletePayload delete in request.Payloads.OfType<DeletePayload>())
        {
            if (delete.Protocol == SecurityProtocol.Ike)
            {
                DeletesIkeSa = true;
                continue;
            }

            // §1.4.1: the peer names its inbound SPIs, which are our outbound ones.
            for (int i = 0; i < delete.SpiCount; i++)
            {
                if (delete.SpiSize != 4)
                {
                    continue;
                }

                uint spi = delete.GetChildSpi(i);
                ChildSa? child = sa.Children.FirstOrDefault(c => c.SpiOut == spi);
                if (child is not null)
                {
                    deletedChildren.Add(child.SpiIn);
                    Forget(child, "deleted by the peer", SaCloseCause.Peer);
                    if (!child.Rekeyed)
                    {
                        ClosedByPeer.Add(child.Config);
                    }
                }
            }
        }

        return TaskResult.Done;
    }

    /// <summary>Removes a Child SA from the IKE SA and the SPI index and tells the owner; a rekeyed one says so.</summary>
    private void Forget(ChildSa doomed, string reason, SaCloseCause cause)
    {
        sa.Children.Remove(doomed);
        context.ChildSpisInUse.Remove(doomed.SpiIn);
        context.Raise(new ChildSaDeleted(context.Now, sa.Config.Name, doomed.Config.Name, doomed.SpiIn, doomed.SpiOut, doomed.Rekeyed ? "rekeyed" : reason) { Cause = doomed.Rekeyed ? SaCloseCause.Replaced : cause });
        doomed.Dispose();
    }

    public void BuildResponse(MessageBuilder response)
    {
        if (deletedChildren.Count > 0)
        {
            response.Add(DeletePayload.ChildSas(SecurityProtocol.Esp, [.. deletedChildren]));
        }
    }
}

internal enum InformationalKind
{
    /// <summary>An empty request: are you alive (§1.4, dead peer detection)?</summary>
    Liveness,
    DeleteIkeSa,
    DeleteChildSa,
    /// <summary>We are answering; the request decides.</summary>
    Responder,
}
