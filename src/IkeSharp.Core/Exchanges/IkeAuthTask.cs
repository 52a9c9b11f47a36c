using System.Net;
using IkeSharp.Core.Engine;
using IkeSharp.Core.Policy;
using IkeSharp.Core.Sa;
using IkeSharp.Crypto.Auth;
using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Exchanges;

/// <summary>
/// IKE_AUTH's authentication (RFC 7296 §1.2, §2.15): identities and AUTH with a pre-shared key,
/// each side checking the other's ID against its policy. INITIAL_CONTACT (§2.4) goes with the
/// initiator's first IKE_AUTH. On failure the responder answers AUTHENTICATION_FAILED and nothing
/// is installed.
/// </summary>
internal sealed class IkeAuthTask(IkeSa sa, EngineContext context) : IExchangeTask
{
    private static string DefaultId(IPEndPoint endpoint) => endpoint.Address.ToString();

    private IdPayload OwnId(IkeRole role)
    {
        sa.LocalId = sa.Config.Local.Id ?? DefaultId(sa.Local);
        return IdPayload.FromText(role, sa.LocalId);
    }

    public void BuildRequest(MessageBuilder request)
    {
        IdPayload idi = OwnId(IkeRole.Initiator);
        request.Add(idi);
        if (sa.Config.SendInitialContact && sa.Config.Unique != UniquePolicy.Never)
        {
            request.Notify(NotifyType.InitialContact);
        }

        if (sa.Config.Remote.Id is { } remoteId && remoteId != "%any")
        {
            request.Add(IdPayload.FromText(IkeRole.Responder, remoteId));
        }

        request.Add(Auth(idi, sa.InitRequest, sa.Nr, sa.Keys!.SkPi.ReadOnlySpan));
    }

    private AuthPayload Auth(IdPayload id, ReadOnlySpan<byte> realMessage, ReadOnlySpan<byte> peerNonce, ReadOnlySpan<byte> skP)
    {
        byte[] key = SharedKey() ?? throw new InvalidOperationException($"no pre-shared key for {sa.LocalId} - {sa.RemoteId}");
        byte[] octets = SignedOctets.Build(sa.Prf!, skP, realMessage, peerNonce, SignedOctets.RestOfIdPayload(id));
        return SharedKeyMic.CreatePayload(sa.Prf!, key, octets);
    }

    private byte[]? SharedKey() => context.Credentials.SharedKey(sa.LocalId, sa.RemoteId.Length > 0 ? sa.RemoteId : sa.Config.Remote.Id ?? DefaultId(sa.Remote));

    public TaskResult ProcessRequest(ReceivedMessage request)
    {
        IdPayload? idi = request.Find<IdPayload>();
        AuthPayload? auth = request.Find<AuthPayload>();
        if (idi is null || idi.Role != IkeRole.Initiator || auth is null)
        {
            return TaskResult.FailIkeSa("IKE_AUTH request without IDi or AUTH (EAP is not supported yet)", NotifyType.AuthenticationFailed);
        }

        sa.LocalId = sa.Config.Local.Id ?? DefaultId(sa.Local);
        sa.RemoteId = idi.DisplayValue;
        return Verify(idi, auth, sa.InitRequest, sa.Nr, sa.Keys!.SkPi.ReadOnlySpan, "initiator");
    }

    public void BuildResponse(MessageBuilder response)
    {
        IdPayload idr = OwnId(IkeRole.Responder);
        response.Add(idr);
        response.Add(Auth(idr, sa.InitResponse, sa.Ni, sa.Keys!.SkPr.ReadOnlySpan));
    }

    public TaskResult ProcessResponse(ReceivedMessage response)
    {
        if (response.Notify(NotifyType.AuthenticationFailed) is not null)
        {
            context.Raise(new AuthFailed(context.Now, sa.Config.Name, $"the peer {sa.Remote} refused our authentication as {sa.LocalId} (AUTHENTICATION_FAILED): check the PSK and IDs on both sides"));
            return TaskResult.FailIkeSa("the peer refused our authentication");
        }

        IdPayload? idr = response.Find<IdPayload>();
        AuthPayload? auth = response.Find<AuthPayload>();
        if (idr is null || idr.Role != IkeRole.Responder || auth is null)
        {
            string error = response.FirstError() is { } e ? $" ({e.NotifyType.ToIanaName()})" : "";
            return TaskResult.FailIkeSa($"IKE_AUTH response without IDr or AUTH{error}");
        }

        sa.RemoteId = idr.DisplayValue;
        return Verify(idr, auth, sa.InitResponse, sa.Ni, sa.Keys!.SkPr.ReadOnlySpan, "responder");
    }

    private TaskResult Verify(IdPayload peerId, AuthPayload auth, ReadOnlySpan<byte> peerRealMessage, ReadOnlySpan<byte> ourNonce, ReadOnlySpan<byte> peerSkP, string peerRole)
    {
        string? expected = sa.Config.Remote.Id;
        if (expected is not null && expected != "%any" && !IdMatches(expected, peerId))
        {
            string reason = $"the {peerRole} identified as {peerId.IdType.ToIanaName()} {peerId.DisplayValue}, but connection {sa.Config.Name} expects {expected}";
            context.Raise(new AuthFailed(context.Now, sa.Config.Name, reason));
            return TaskResult.FailIkeSa(reason, NotifyType.AuthenticationFailed);
        }

        if (sa.Config.Remote.Auth != AuthKind.Psk || auth.Method != AuthMethod.SharedKeyMessageIntegrityCode)
        {
            string reason = $"the {peerRole} authenticated with {auth.Method.ToIanaName()}, but connection {sa.Config.Name} expects {sa.Config.Remote.Auth}";
            context.Raise(new AuthFailed(context.Now, sa.Config.Name, reason));
            return TaskResult.FailIkeSa(reason, NotifyType.AuthenticationFailed);
        }

        byte[]? key = SharedKey();
        if (key is null)
        {
            string reason = $"no pre-shared key for {sa.LocalId} - {sa.RemoteId}";
            context.Raise(new AuthFailed(context.Now, sa.Config.Name, reason));
            return TaskResult.FailIkeSa(reason, NotifyType.AuthenticationFailed);
        }

        byte[] octets = SignedOctets.Build(sa.Prf!, peerSkP, peerRealMessage, ourNonce, SignedOctets.RestOfIdPayload(peerId));
        AuthResult verified = SharedKeyMic.Verify(sa.Prf!, key, octets, auth.Data.Span);
        if (!verified.Succeeded)
        {
            string reason = $"the {peerRole}'s AUTH payload does not verify with the pre-shared key for {sa.LocalId} - {sa.RemoteId}: the keys differ ({verified.FailureReason})";
            context.Raise(new AuthFailed(context.Now, sa.Config.Name, reason));
            return TaskResult.FailIkeSa(reason, NotifyType.AuthenticationFailed);
        }

        sa.Authenticated = true;
        return TaskResult.Done;
    }

    private static bool IdMatches(string expected, IdPayload id) =>
        string.Equals(IdPayload.FromText(id.Role, expected).DisplayValue, id.DisplayValue, StringComparison.OrdinalIgnoreCase);
}
