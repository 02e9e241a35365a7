using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Serverless.Data.Caching;

/// <summary>
/// A stored item (attribute name to <see cref="AttributeValue"/>) as compact bytes and back: what the cache holds is
/// the item exactly as the table stores it, ciphertext still ciphertext, so reading it from the cache is reading it
/// from the table. Every DynamoDB type round-trips (S, N, B, BOOL, NULL, M, L, SS, NS, BS).
/// </summary>
public static class ItemCodec
{
    private const byte FormatVersion = 1;

    private enum Tag : byte
    {
        S = 1, N = 2, B = 3, Bool = 4, Null = 5, M = 6, L = 7, Ss = 8, Ns = 9, Bs = 10,
    }

    public static byte[] Encode(IReadOnlyDictionary<string, AttributeValue> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.GetSpan(1)[0] = FormatVersion;
        buffer.Advance(1);
        WriteMap(buffer, item);
        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="FormatException">The bytes are not an item this codec wrote.</exception>
    public static Dictionary<string, AttributeValue> Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes);
        if (reader.Byte() != FormatVersion)
        {
            throw new FormatException("The cached item has an unknown format version.");
        }

        var item = reader.Map();
        return reader.AtEnd ? item : throw new FormatException("The cached item has bytes after its end.");
    }

    private static void WriteMap(ArrayBufferWriter<byte> buffer, IReadOnlyDictionary<string, AttributeValue> map)
    {
        WriteLength(buffer, map.Count);
        foreach (var (name, value) in map)
        {
            WriteString(buffer, name);
            WriteValue(buffer, value);
        }
    }

    private static void WriteValue(ArrayBufferWriter<byte> buffer, AttributeValue value)
    {
        if (value.S is not null)
        {
            WriteTag(buffer, Tag.S);
            WriteString(buffer, value.S);
        }
        else if (value.N is not null)
        {
            WriteTag(buffer, Tag.N);
            WriteString(buffer, value.N);
        }
        else if (value.B is not null)
        {
            WriteTag(buffer, Tag.B);
            WriteBytes(buffer, BinaryOf(value.B));
        }
        else if (value.BOOL is { } flag)
        {
            WriteTag(buffer, Tag.Bool);
            buffer.GetSpan(1)[0] = flag ? (byte)1 : (byte)0;
            buffer.Advance(1);
        }
        else if (value.NULL == true)
        {
            WriteTag(buffer, Tag.Null);
        }
        else if (value.M is not null)
        {
            WriteTag(buffer, Tag.M);
            WriteMap(buffer, value.M);
        }
        else if (value.L is not null)
        {
            WriteTag(buffer, Tag.L);
            WriteLength(buffer, value.L.Count);
            foreach (var element in value.L)
            {
                WriteValue(buffer, element);
            }
        }
        else if (value.SS is not null)
        {
            WriteTag(buffer, Tag.Ss);
            WriteStrings(buffer, value.SS);
        }
        else if (value.NS is not null)
        {
            WriteTag(buffer, Tag.Ns);
            WriteStrings(buffer, value.NS);
        }
        else if (value.BS is not null)
        {
            WriteTag(buffer, Tag.Bs);
            WriteLength(buffer, value.BS.Count);
            foreach (var element in value.BS)
            {
                WriteBytes(buffer, BinaryOf(element));
            }
        }
        else
        {
            // The SDK's empty map and empty list look alike when unset; an item read from the table has one of them.
            WriteTag(buffer, value.IsMSet ? Tag.M : Tag.L);
            WriteLength(buffer, 0);
        }
    }

    /// <summary>The value's bytes without moving its stream (the SDK may be sending the same value elsewhere).</summary>
    private static ReadOnlySpan<byte> BinaryOf(MemoryStream stream) =>
        stream.TryGetBuffer(out var segment) ? segment.AsSpan() : stream.ToArray();

    private static void WriteStrings(ArrayBufferWriter<byte> buffer, List<string> values)
    {
        WriteLength(buffer, values.Count);
        foreach (var value in values)
        {
            WriteString(buffer, value);
        }
    }

    private static void WriteTag(ArrayBufferWriter<byte> buffer, Tag tag)
    {
        buffer.GetSpan(1)[0] = (byte)tag;
        buffer.Advance(1);
    }

    private static void WriteLength(ArrayBufferWriter<byte> buffer, int length)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), length);
        buffer.Advance(4);
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteLength(buffer, length);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(length));
        buffer.Advance(length);
    }

    private static void WriteBytes(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> bytes)
    {
        WriteLength(buffer, bytes.Length);
        bytes.CopyTo(buffer.GetSpan(bytes.Length));
        buffer.Advance(bytes.Length);
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public readonly bool AtEnd => _at == _bytes.Length;

        public byte Byte()
        {
            Need(1);
            return _bytes[_at++];
        }

        public Dictionary<string, AttributeValue> Map()
        {
            var count = Length();
            var map = new Dictionary<string, AttributeValue>(Math.Min(count, 64), StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var name = String();
                map[name] = Value();
            }

            return map;
        }

        private AttributeValue Value()
        {
            switch ((Tag)Byte())
            {
                case Tag.S: return new AttributeValue { S = String() };
                case Tag.N: return new AttributeValue { N = String() };
                case Tag.B: return new AttributeValue { B = new MemoryStream(Bytes(), writable: false) };
                case Tag.Bool: return new AttributeValue { BOOL = Byte() != 0 };
                case Tag.Null: return new AttributeValue { NULL = true };
                case Tag.M: return new AttributeValue { M = Map() };
                case Tag.L:
                {
                    var count = Length();
                    var list = new List<AttributeValue>(Math.Min(count, 64));
                    for (var i = 0; i < count; i++)
                    {
                        list.Add(Value());
                    }

                    return new AttributeValue { L = list };
                }

                case Tag.Ss: return new AttributeValue { SS = Strings() };
                case Tag.Ns: return new AttributeValue { NS = Strings() };
                case Tag.Bs:
                {
                    var count = Length();
                    var set = new List<MemoryStream>(Math.Min(count, 64));
                    for (var i = 0; i < count; i++)
                    {
                        set.Add(new MemoryStream(Bytes(), writable: false));
                    }

                    return new AttributeValue { BS = set };
                }

                default: throw new FormatException("The cached item has an unknown value type.");
            }
        }

        private List<string> Strings()
        {
            var count = Length();
            var values = new List<string>(Math.Min(count, 64));
            for (var i = 0; i < count; i++)
            {
                values.Add(String());
            }

            return values;
        }

        private string String()
        {
            var length = Length();
            Need(length);
            var value = Encoding.UTF8.GetString(_bytes.Slice(_at, length));
            _at += length;
            return value;
        }

        private byte[] Bytes()
        {
            var length = Length();
            Need(length);
            var value = _bytes.Slice(_at, length).ToArray();
            _at += length;
            return value;
        }

        private int Length()
        {
            Need(4);
            var length = BinaryPrimitives.ReadInt32LittleEndian(_bytes[_at..]);
            _at += 4;
            return length >= 0 ? length : throw new FormatException("The cached item has a negative length.");
        }

        private readonly void Need(int count)
        {
            if (count > _bytes.Length - _at)
            {
                throw new FormatException("The cached item is cut short.");
            }
        }
    }
}
