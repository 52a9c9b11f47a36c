global using System.Net;
global using IkeSharp.Core.Engine;
global using IkeSharp.Crypto;
global using IkeSharp.Wire;

