global using IkeSharp.Wire;
