namespace IkeSharp.Wire;

/// <summary>Why a peer's bytes could not be decoded; the engine maps these to INVALID_SYNTAX and friends.</summary>
public enum DecodeErrorCode
{
    /// <summary>Fewer bytes than a fixed header or a length field requires.</summary>
    Truncated,
    /// <summary>A length field disagrees with the bytes that contain it.</summary>
    BadLength,
    /// <summary>The IKE header's major version is not 2 (RFC 7296 §2.5: answer INVALID_MAJOR_VERSION).</summary>
    UnsupportedMajorVersion,
    /// <summary>A count or nesting limit that protects the decoder was exceeded.</summary>
    LimitExceeded,
    /// <summary>A field holds a value the RFC does not allow here.</summary>
    InvalidValue,
    /// <summary>The ICV (or AEAD tag) of an SK payload does not verify: a wrong key, or tampering (RFC 7296 §3.14).</summary>
    IntegrityCheckFailed,
    /// <summary>Bytes follow the last payload (or the Encrypted payload, which must be last: RFC 7296 §3.14).</summary>
    TrailingData,
}

/// <summary>A decode failure: what was wrong, in which payload, at which byte offset of the datagram.</summary>
public sealed record DecodeError(DecodeErrorCode Code, string Reason, int Offset, PayloadType? Payload = null)
{
    public override string ToString() =>
        Payload is { } p
            ? $"{Code} in {p.ToIanaName()} payload at offset {Offset}: {Reason}"
            : $"{Code} at offset {Offset}: {Reason}";
}

/// <summary>
/// The outcome of decoding: a value or an error, never an exception. Decoders return this for
/// everything a peer can send (DESIGN.md, "The wire codec").
/// </summary>
public readonly struct DecodeResult<T>
{
    private readonly T? value;

    private DecodeResult(T? value, DecodeError? error)
    {
        this.value = value;
        Error = error;
    }

    public DecodeError? Error { get; }

    public bool IsSuccess => Error is null;

    /// <summary>The decoded value; only meaningful when <see cref="IsSuccess"/>.</summary>
    public T Value => Error is null ? value! : throw new InvalidOperationException($"Decode failed: {Error}");

    public bool TryGetValue(out T result)
    {
        result = value!;
        return Error is null;
    }

    public static DecodeResult<T> Success(T value) => new(value, null);

    public static DecodeResult<T> Failure(DecodeError error) => new(default, error);

    public static implicit operator DecodeResult<T>(DecodeError error) => Failure(error);

    /// <summary>Carries another decoder's failure through, with its own type.</summary>
    public DecodeResult<TOther> Propagate<TOther>() => DecodeResult<TOther>.Failure(Error!);

    public override string ToString() => IsSuccess ? $"Ok({value})" : $"Error({Error})";
}
