namespace IkeSharp.Fuzz;

/// <summary>A fuzz target: runs one input; any exception that escapes is a finding.</summary>
internal sealed record Target(string Name, Action<byte[]> Run);

internal static class Targets
{
    private static readonly Target[] All =
    [
        new("decode", DecodeTarget.Run),
        new("sk", SkTarget.Run),
        new("responder", input => EngineTarget.Run(input, targetIsResponder: true)),
        new("initiator", input => EngineTarget.Run(input, targetIsResponder: false)),
        new("config", ConfigTarget.Run),
        new("esp", EspTarget.Run),
    ];

    /// <summary>
    /// Not fuzzed by "all": proves the pipeline reports a crash (scripts/fuzz.sh selftest 10 must
    /// fail). It throws for an input that starts with "crash"; its seed, "crasH", is one mutation away.
    /// </summary>
    private static readonly Target SelfTest = new("selftest", input =>
    {
        // Some instrumented code, so afl-fuzz sees coverage (the harness itself is not instrumented).
        _ = Wire.IkeMessage.Decode(input);

        if (input.AsSpan().StartsWith("crash"u8))
        {
            throw new InvalidOperationException("selftest: the harness reports exceptions as crashes");
        }
    });

    public static IEnumerable<string> Names => All.Select(t => t.Name);

    public static Target? Find(string name) => name == SelfTest.Name ? SelfTest : Array.Find(All, t => t.Name == name);
}

/// <summary>
/// Splits an input into records, each prefixed by a 16-bit big-endian length; a last record whose
/// length runs past the end takes what is left. Lets one input be several datagrams or packets.
/// </summary>
internal static class Records
{
    public const int MaxRecords = 32;

    public static List<ReadOnlyMemory<byte>> Split(ReadOnlyMemory<byte> input)
    {
        var records = new List<ReadOnlyMemory<byte>>();
        int position = 0;
        while (position + 2 <= input.Length && records.Count < MaxRecords)
        {
            int length = (input.Span[position] << 8) | input.Span[position + 1];
            position += 2;
            length = Math.Min(length, input.Length - position);
            records.Add(input.Slice(position, length));
            position += length;
        }

        return records;
    }

    public static byte[] Join(IEnumerable<byte[]> records, params byte[] prefix)
    {
        using var output = new MemoryStream();
        output.Write(prefix);
        foreach (byte[] record in records)
        {
            output.WriteByte((byte)(record.Length >> 8));
            output.WriteByte((byte)record.Length);
            output.Write(record);
        }

        return output.ToArray();
    }
}
