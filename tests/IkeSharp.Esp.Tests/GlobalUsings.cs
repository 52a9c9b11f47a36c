global using IkeSharp.Crypto;
global using IkeSharp.Wire;
