using IkeSharp.Wire.Payloads;

namespace IkeSharp.Core.Exchanges;

/// <summary>
/// One concern of an exchange, with both roles (DESIGN.md, "Exchanges are tasks"): the initiator
/// builds the request and processes the response; the responder processes the request and builds
/// the response. An exchange is an ordered list of tasks sharing one message each way.
/// </summary>
internal interface IExchangeTask
{
    void BuildRequest(MessageBuilder request);

    TaskResult ProcessResponse(ReceivedMessage response);

    TaskResult ProcessRequest(ReceivedMessage request);

    void BuildResponse(MessageBuilder response);
}

/// <summary>The payloads a message will carry, collected from its tasks in order.</summary>
internal sealed class MessageBuilder(ExchangeType exchange)
{
    public ExchangeType Exchange { get; } = exchange;

    public List<Payload> Payloads { get; } = [];

    public void Add(Payload payload) => Payloads.Add(payload);

    public void Notify(NotifyType type, ReadOnlyMemory<byte> data = default) => Payloads.Add(NotifyPayload.Create(type, data));

    /// <summary>Puts a payload first, as RFC 7296 §2.6 wants of COOKIE.</summary>
    public void Prepend(Payload payload) => Payloads.Insert(0, payload);
}

/// <summary>A received message: its header, its payloads (decrypted when it had SK), and its exact bytes.</summary>
internal sealed record ReceivedMessage(IkeMessage Message, IReadOnlyList<Payload> Payloads, ReadOnlyMemory<byte> Datagram)
{
    public T? Find<T>()
        where T : Payload
    {
        foreach (Payload p in Payloads)
        {
            if (p is T t)
            {
                return t;
            }
        }

        return null;
    }

    public NotifyPayload? Notify(NotifyType type)
    {
        foreach (Payload p in Payloads)
        {
            if (p is NotifyPayload n && n.NotifyType == type)
            {
                return n;
            }
        }

        return null;
    }

    /// <summary>The first error notify (types below 16384), which ends the exchange (RFC 7296 §3.10.1).</summary>
    public NotifyPayload? FirstError()
    {
        foreach (Payload p in Payloads)
        {
            if (p is NotifyPayload { IsError: true } n)
            {
                return n;
            }
        }

        return null;
    }
}

internal enum TaskOutcome
{
    /// <summary>The task is finished for this exchange.</summary>
    Done,
    /// <summary>The exchange must be started again (COOKIE, INVALID_KE_PAYLOAD).</summary>
    Retry,
    /// <summary>The IKE SA cannot go on: delete it.</summary>
    FailIkeSa,
    /// <summary>This concern failed (a Child SA) but the IKE SA stays (RFC 7296 §1.2).</summary>
    FailChild,
}

/// <summary>A task's outcome, and for a failure an error notify to answer with and a sentence for the log.</summary>
internal readonly record struct TaskResult(TaskOutcome Status, string? Reason = null, NotifyType? Notify = null, ReadOnlyMemory<byte> NotifyData = default)
{
    public static TaskResult Done { get; } = new(TaskOutcome.Done);

    public static TaskResult FailIkeSa(string reason, NotifyType? notify = null, ReadOnlyMemory<byte> data = default) => new(TaskOutcome.FailIkeSa, reason, notify, data);

    public static TaskResult FailChild(string reason, NotifyType notify) => new(TaskOutcome.FailChild, reason, notify);

    public static TaskResult Retry(string reason) => new(TaskOutcome.Retry, reason);
}
