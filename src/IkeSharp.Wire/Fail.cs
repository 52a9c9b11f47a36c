namespace IkeSharp.Wire;

/// <summary>Builders for the decode errors every payload decoder reports the same way.</summary>
internal static class Fail
{
    public static DecodeError Truncated(PayloadType payload, int offset, int needed, int available) =>
        new(DecodeErrorCode.Truncated, $"needs at least {needed} octets but only {available} remain", offset, payload);

    public static DecodeError Length(PayloadType payload, int offset, string reason) =>
        new(DecodeErrorCode.BadLength, reason, offset, payload);

    public static DecodeError Value(PayloadType payload, int offset, string reason) =>
        new(DecodeErrorCode.InvalidValue, reason, offset, payload);
}
