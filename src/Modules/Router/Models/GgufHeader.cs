using System.Buffers.Binary;
using System.Text;

namespace AuroraNode.Modules.Router.Models;

/// <summary>
/// Reads a GGUF file's header (ggml's docs/gguf.md, versions 2 and 3): magic, version, tensor and metadata counts,
/// the metadata pairs (only the few it needs are decoded; other values and arrays are skipped without allocating)
/// and the tensor infos. Anything malformed or cut short throws <see cref="InvalidDataException"/> saying what.
/// </summary>
internal static class GgufHeader
{
    private const uint Magic = 0x46554747; // "GGUF" read as a little-endian uint32
    private const int MaxKeyBytes = 65535;
    private const int MaxArchitectureBytes = 256;
    private const int MaxDimensions = 4; // GGML_MAX_DIMS
    private const int MaxArrayDepth = 8;

    // The smallest a metadata pair (8-byte key length, 4-byte type, a 1-byte value) and a tensor info (name length, dimension count, type, offset) can be.
    private const int MinPairBytes = 8 + 4 + 1;
    private const int MinTensorInfoBytes = 8 + 4 + 4 + 8;

    public static GgufSummary Read(Stream stream)
    {
        var r = new GgufReader(stream);
        if (r.Remaining < sizeof(uint) || r.U32() != Magic)
        {
            throw new InvalidDataException("it does not start with the GGUF magic");
        }

        var version = r.U32();
        if (version is not (2 or 3))
        {
            throw new InvalidDataException($"it is GGUF version {version}; versions 2 and 3 are read");
        }

        var tensorCount = r.Count(MinTensorInfoBytes, "tensors");
        var pairCount = r.Count(MinPairBytes, "metadata pairs");
        var architecture = "";
        uint? fileType = null;
        ulong? declared = null;
        for (ulong i = 0; i < pairCount; i++)
        {
            var keyLength = r.StringLength();
            if (keyLength > MaxKeyBytes)
            {
                throw new InvalidDataException($"metadata key {i} is {keyLength} bytes long, more than GGUF's {MaxKeyBytes}");
            }

            var key = Key(r.Take((int)keyLength));
            var type = (GgufType)r.U32();
            switch (key)
            {
                case Known.Architecture when type == GgufType.String:
                    var n = r.StringLength();
                    if (n <= MaxArchitectureBytes)
                    {
                        architecture = Encoding.UTF8.GetString(r.Take((int)n));
                    }
                    else
                    {
                        r.Skip(n);
                    }

                    break;
                case Known.FileType when IsInteger(type):
                    fileType = Integer(r, type) is { } ftype and <= uint.MaxValue ? (uint)ftype : fileType;
                    break;
                case Known.ParameterCount when IsInteger(type):
                    declared = Integer(r, type) ?? declared;
                    break;
                default:
                    SkipValue(r, type, 0);
                    break;
            }
        }

        ulong parameters = 0;
        var typeCounts = new Dictionary<uint, ulong>();
        for (ulong i = 0; i < tensorCount; i++)
        {
            r.Skip(r.StringLength());
            var dimensions = r.U32();
            if (dimensions > MaxDimensions)
            {
                throw new InvalidDataException($"tensor {i} has {dimensions} dimensions; ggml has at most {MaxDimensions}");
            }

            ulong elements = 1;
            for (var d = 0; d < dimensions; d++)
            {
                elements = Multiply(elements, r.U64(), i);
            }

            parameters = parameters > ulong.MaxValue - elements ? throw TooLarge(i) : parameters + elements;
            var tensorType = r.U32();
            typeCounts[tensorType] = typeCounts.GetValueOrDefault(tensorType) + 1;
            r.U64(); // offset into the data section
        }

        uint? common = typeCounts.Count == 0 ? null : typeCounts.MaxBy(kv => kv.Value).Key;
        return new GgufSummary(architecture, fileType, declared ?? parameters, common);
    }

    // Compares the key's bytes with the three keys read before decoding it: other keys are never turned into strings.
    private static Known Key(ReadOnlySpan<byte> key) => key switch
    {
        _ when key.SequenceEqual("general.architecture"u8) => Known.Architecture,
        _ when key.SequenceEqual("general.file_type"u8) => Known.FileType,
        _ when key.SequenceEqual("general.parameter_count"u8) => Known.ParameterCount,
        _ => Known.Other,
    };

    private static bool IsInteger(GgufType type) =>
        type is GgufType.UInt8 or GgufType.UInt16 or GgufType.UInt32 or GgufType.UInt64 or GgufType.Int8 or GgufType.Int16 or GgufType.Int32 or GgufType.Int64;

    // An integer value, read; null for a negative one (no count or file type is).
    private static ulong? Integer(GgufReader r, GgufType type)
    {
        var bytes = r.Take(Size(type));
        long value = type switch
        {
            GgufType.UInt8 => bytes[0],
            GgufType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            GgufType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            GgufType.UInt64 => (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(bytes), long.MaxValue),
            GgufType.Int8 => (sbyte)bytes[0],
            GgufType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
            GgufType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
            _ => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        };
        return value >= 0 ? (ulong)value : null;
    }

    private static void SkipValue(GgufReader r, GgufType type, int depth)
    {
        if (type == GgufType.String)
        {
            r.Skip(r.StringLength());
            return;
        }

        if (type != GgufType.Array)
        {
            r.Skip((ulong)Size(type));
            return;
        }

        if (depth >= MaxArrayDepth)
        {
            throw new InvalidDataException($"it nests arrays more than {MaxArrayDepth} deep");
        }

        var elementType = (GgufType)r.U32();
        switch (elementType)
        {
            case GgufType.String:
                // Each string is at least its 8-byte length: skipped one by one, none allocated.
                for (ulong i = 0, n = r.Count(8, "strings in an array"); i < n; i++)
                {
                    r.Skip(r.StringLength());
                }

                break;
            case GgufType.Array:
                for (ulong i = 0, n = r.Count(4 + 8, "arrays in an array"); i < n; i++)
                {
                    SkipValue(r, GgufType.Array, depth + 1);
                }

                break;
            default:
                var size = Size(elementType);
                r.Skip(r.Count(size, "array elements") * (ulong)size);
                break;
        }
    }

    private static int Size(GgufType type) => type switch
    {
        GgufType.UInt8 or GgufType.Int8 or GgufType.Bool => 1,
        GgufType.UInt16 or GgufType.Int16 => 2,
        GgufType.UInt32 or GgufType.Int32 or GgufType.Float32 => 4,
        GgufType.UInt64 or GgufType.Int64 or GgufType.Float64 => 8,
        _ => throw new InvalidDataException($"it has a metadata value of unknown type {(uint)type}"),
    };

    private static ulong Multiply(ulong elements, ulong dimension, ulong tensor) =>
        dimension != 0 && elements > ulong.MaxValue / dimension ? throw TooLarge(tensor) : elements * dimension;

    private static InvalidDataException TooLarge(ulong tensor) => new($"tensor {tensor}'s dimensions overflow a 64-bit element count");

    private enum Known
    {
        Other,
        Architecture,
        FileType,
        ParameterCount,
    }

    private enum GgufType : uint
    {
        UInt8 = 0,
        Int8 = 1,
        UInt16 = 2,
        Int16 = 3,
        UInt32 = 4,
        Int32 = 5,
        Float32 = 6,
        Bool = 7,
        String = 8,
        Array = 9,
        UInt64 = 10,
        Int64 = 11,
        Float64 = 12,
    }
}
