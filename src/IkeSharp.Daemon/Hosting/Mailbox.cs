using System.Collections.Concurrent;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// The engine's mailbox: many writers (the UDP receive threads, the data plane, the control socket),
/// one reader (the engine's own thread), bounded for datagrams. The reader blocks in the kernel when
/// there is nothing to do, without spinning first: a profile of the daemon as a responder under load
/// had about a fifth of its CPU time in the thread pool's spin-wait (sched_yield) between datagrams
/// when the engine loop was an async method on the pool, because each datagram woke a pool worker
/// that then spun before sleeping again. Here a writer wakes the reader only when it sleeps.
/// </summary>
internal sealed class Mailbox<T>(int capacity) : IDisposable
    where T : class
{
    private readonly ConcurrentQueue<T> queue = new();

    // spinCount 0: Wait goes straight to the kernel (Monitor.Wait), Set wakes it.
    private readonly ManualResetEventSlim signal = new(false, 0);
    private int count;

    /// <summary>Items queued and not yet taken.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>Queues <paramref name="item"/> unless <see cref="Count"/> has reached the capacity.</summary>
    public bool TryWrite(T item)
    {
        if (Interlocked.Increment(ref count) > capacity)
        {
            Interlocked.Decrement(ref count);
            return false;
        }

        queue.Enqueue(item);
        signal.Set();
        return true;
    }

    /// <summary>Queues <paramref name="item"/> whatever the count: for commands, which are few and must not be lost.</summary>
    public void Write(T item)
    {
        Interlocked.Increment(ref count);
        queue.Enqueue(item);
        signal.Set();
    }

    /// <summary>The reader only.</summary>
    public bool TryRead(out T item)
    {
        if (queue.TryDequeue(out T? taken))
        {
            Interlocked.Decrement(ref count);
            item = taken;
            return true;
        }

        item = null!;
        return false;
    }

    /// <summary>
    /// The reader only: waits up to <paramref name="milliseconds"/> for an item (returns at once if
    /// one is queued). The event is reset before the queue is looked at, so a write that lands
    /// between the two sets it again and the wait does not sleep through it.
    /// </summary>
    public void Wait(int milliseconds)
    {
        signal.Reset();
        if (!queue.IsEmpty)
        {
            return;
        }

        signal.Wait(milliseconds);
    }

    /// <summary>Wakes the reader (to stop).</summary>
    public void Wake() => signal.Set();

    public void Dispose() => signal.Dispose();
}
