namespace IkeSharp.Crypto.Auth;

/// <summary>
/// The verdict on something a peer sent (an AUTH payload, a certificate, an ID). Never an
/// exception: a failure carries a sentence that says what was wrong and with which object.
/// </summary>
public readonly record struct AuthResult
{
    private AuthResult(bool succeeded, string? failureReason)
    {
        Succeeded = succeeded;
        FailureReason = failureReason;
    }

    public bool Succeeded { get; }

    /// <summary>Why it failed; null when it succeeded.</summary>
    public string? FailureReason { get; }

    public static AuthResult Success { get; } = new(true, null);

    public static AuthResult Fail(string reason) => new(false, reason);

    public override string ToString() => Succeeded ? "success" : FailureReason!;
}

/// <summary>
/// A value or the reason there is none: what loading a key or certificate from configuration
/// bytes, or choosing a signature scheme, gives back.
/// </summary>
public readonly record struct Outcome<T>
    where T : class
{
    private Outcome(T? value, string? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public string? Error { get; }

    public bool Succeeded => Error is null;

    public static Outcome<T> Success(T value) => new(value, null);

    public static Outcome<T> Fail(string error) => new(null, error);

    /// <summary>The value, or an <see cref="InvalidOperationException"/> with the error (for callers that have already checked).</summary>
    public T GetValueOrThrow() => Value ?? throw new InvalidOperationException(Error);

    public override string ToString() => Succeeded ? $"{Value}" : Error!;
}
