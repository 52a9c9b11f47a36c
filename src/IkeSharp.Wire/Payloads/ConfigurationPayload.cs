using System.Buffers.Binary;
using System.Net;

namespace IkeSharp.Wire.Payloads;

/// <summary>
/// Configuration payload, CP (RFC 7296 §3.15).
/// <code>
/// | Next Payload  |C| RESERVED    |         Payload Length        |
/// |   CFG Type    |                    RESERVED                   |
/// ~                   Configuration Attributes                    ~
/// </code>
/// </summary>
public sealed record ConfigurationPayload(ConfigurationType CfgType, IReadOnlyList<ConfigurationAttribute> Attributes) : Payload
{
    private const int FixedLength = 4;

    public override PayloadType Type => PayloadType.Configuration;

    public override int BodyLength
    {
        get
        {
            int length = FixedLength;
            for (int i = 0; i < Attributes.Count; i++)
            {
                ConfigurationAttribute a = Attributes[i];
                length += a.EncodedLength;
            }

            return length;
        }
    }

    public static DecodeResult<ConfigurationPayload> Decode(ReadOnlyMemory<byte> body, int offset)
    {
        if (body.Length < FixedLength)
        {
            return Fail.Truncated(PayloadType.Configuration, offset, FixedLength, body.Length);
        }

        var cfgType = (ConfigurationType)body.Span[0];

        // Count first, so the array is sized by attributes that are really there.
        int count = 0;
        int position = FixedLength;
        while (position < body.Length)
        {
            ReadOnlySpan<byte> rest = body.Span.Slice(position);
            if (rest.Length < ConfigurationAttribute.HeaderLength)
            {
                return Fail.Truncated(PayloadType.Configuration, offset + position, ConfigurationAttribute.HeaderLength, rest.Length);
            }

            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(rest.Slice(2));
            if (ConfigurationAttribute.HeaderLength + valueLength > rest.Length)
            {
                return Fail.Length(PayloadType.Configuration, offset + position + 2, $"attribute Length {valueLength} exceeds the {rest.Length - ConfigurationAttribute.HeaderLength} octets remaining");
            }

            position += ConfigurationAttribute.HeaderLength + valueLength;
            count++;
        }

        var attributes = new ConfigurationAttribute[count];
        position = FixedLength;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> rest = body.Span.Slice(position);
            var type = (ConfigurationAttributeType)(BinaryPrimitives.ReadUInt16BigEndian(rest) & 0x7fff);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(rest.Slice(2));
            attributes[i] = new ConfigurationAttribute(type, body.Slice(position + ConfigurationAttribute.HeaderLength, valueLength));
            position += ConfigurationAttribute.HeaderLength + valueLength;
        }

        return DecodeResult<ConfigurationPayload>.Success(new ConfigurationPayload(cfgType, attributes));
    }

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = (byte)CfgType;
        destination.Slice(1, 3).Clear();
        int position = FixedLength;
        for (int i = 0; i < Attributes.Count; i++)
        {
            ConfigurationAttribute a = Attributes[i];
            a.Write(destination.Slice(position));
            position += a.EncodedLength;
        }
    }

    public override string ToString() => $"CP({CfgType.ToIanaName()}) {string.Join(", ", Attributes)}";
}

/// <summary>
/// One configuration attribute (RFC 7296 §3.15.1).
/// <code>
/// |R|         Attribute Type      |            Length             |
/// ~                             Value                             ~
/// </code>
/// The R bit is reserved and written as zero.
/// </summary>
public sealed record ConfigurationAttribute(ConfigurationAttributeType AttributeType, ReadOnlyMemory<byte> Value)
{
    public const int HeaderLength = 4;

    public int EncodedLength => HeaderLength + Value.Length;

    internal void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)((ushort)AttributeType & 0x7fff));
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), (ushort)Value.Length);
        Value.Span.CopyTo(destination.Slice(HeaderLength));
    }

    /// <summary>An attribute holding one address (INTERNAL_IP4_ADDRESS, INTERNAL_IP4_DNS, ...).</summary>
    public static ConfigurationAttribute Address(ConfigurationAttributeType type, IPAddress address) => new(type, address.GetAddressBytes());

    /// <summary>The value as a person reads it (RFC 7296 §3.15.1 formats); never throws.</summary>
    public string DisplayValue
    {
        get
        {
            ReadOnlySpan<byte> v = Value.Span;
            if (v.IsEmpty)
            {
                return string.Empty;
            }

            switch (AttributeType)
            {
                case ConfigurationAttributeType.InternalIp4Address or ConfigurationAttributeType.InternalIp4Netmask
                    or ConfigurationAttributeType.InternalIp4Dns or ConfigurationAttributeType.InternalIp4Nbns
                    or ConfigurationAttributeType.InternalIp4Dhcp when v.Length == 4:
                case ConfigurationAttributeType.InternalIp6Dns or ConfigurationAttributeType.InternalIp6Dhcp when v.Length == 16:
                    return new IPAddress(v).ToString();
                case ConfigurationAttributeType.InternalIp6Address or ConfigurationAttributeType.InternalIp6Subnet when v.Length == 17:
                    return $"{new IPAddress(v.Slice(0, 16))}/{v[16]}";
                case ConfigurationAttributeType.InternalIp4Subnet when v.Length == 8:
                    return $"{new IPAddress(v.Slice(0, 4))}/{new IPAddress(v.Slice(4, 4))}";
                case ConfigurationAttributeType.ApplicationVersion or ConfigurationAttributeType.InternalDnsDomain:
                    return Printable.Ascii(v);
                case ConfigurationAttributeType.SupportedAttributes when v.Length % 2 == 0:
                    var names = new string[v.Length / 2];
                    for (int i = 0; i < names.Length; i++)
                    {
                        names[i] = ((ConfigurationAttributeType)(BinaryPrimitives.ReadUInt16BigEndian(v.Slice(i * 2)) & 0x7fff)).ToIanaName();
                    }

                    return string.Join(" ", names);
                default:
                    return Convert.ToHexStringLower(v);
            }
        }
    }

    public override string ToString()
    {
        string value = DisplayValue;
        return value.Length == 0 ? AttributeType.ToIanaName() : $"{AttributeType.ToIanaName()}={value}";
    }
}
