global using System.Net;
global using IkeSharp.Core.Engine;
global using IkeSharp.Crypto;
global using IkeSharp.Wire;

// The daemon drives Linux: Unix sockets with file modes, TUN, netlink.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
