global using System.Diagnostics;
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
