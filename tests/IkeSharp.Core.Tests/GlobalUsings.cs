global using IkeSharp.Wire;
global using IkeSharp.Wire.Payloads;
