using IkeSharp.Wire.Payloads;

namespace IkeSharp.Crypto.Proposals;

/// <summary>
/// Why a proposal string was refused, in a sentence a person can act on, with where it went wrong:
/// the offending <see cref="Keyword"/>, its 1-based <see cref="Position"/> among the '-'-separated
/// keywords and its 0-based character <see cref="Offset"/> in the text (all null when the proposal
/// as a whole is at fault, e.g. it lacks a PRF), and the valid keywords closest to it.
/// </summary>
public sealed record ParseError(string Message, string? Keyword, int? Position, int? Offset, IReadOnlyList<string> Suggestions)
{
    public override string ToString() => Message;
}

/// <summary>A parsed proposal, or the error that stopped it; warnings either way (weak algorithms allowed, duplicates dropped).</summary>
public sealed record ProposalParseResult(Proposal? Proposal, ParseError? Error, IReadOnlyList<string> Warnings)
{
    public bool IsSuccess => Error is null;

    /// <summary>The transforms of the proposal; empty on error.</summary>
    public IReadOnlyList<Transform> Transforms => Proposal?.Transforms ?? [];

    internal static ProposalParseResult Fail(ParseError error, IReadOnlyList<string> warnings) => new(null, error, warnings);
}

/// <summary>A comma-separated list of proposals, numbered 1, 2, ... in order, or the first error.</summary>
public sealed record ProposalListParseResult(IReadOnlyList<Proposal> Proposals, ParseError? Error, IReadOnlyList<string> Warnings)
{
    public bool IsSuccess => Error is null;
}
