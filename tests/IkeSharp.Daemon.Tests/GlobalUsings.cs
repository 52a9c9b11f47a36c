global using System.Net;
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
