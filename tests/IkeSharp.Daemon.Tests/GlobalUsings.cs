global using System.Net;
