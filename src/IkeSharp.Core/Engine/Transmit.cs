using System.Net;

namespace IkeSharp.Core.Engine;

/// <summary>
/// A datagram the engine wants sent. On port 4500 the daemon prepends the four-octet non-ESP
/// marker (RFC 3948 §2.2); the engine's bytes are the IKE message alone.
/// </summary>
public sealed record Transmit(IPEndPoint Local, IPEndPoint Remote, byte[] Datagram);
