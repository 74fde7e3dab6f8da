using System.Buffers.Binary;

namespace AuroraNode.Modules.Router.Models;

/// <summary>
/// Little-endian reads over a seekable stream with its own buffer, each checked against the stream's length:
/// a count or length the rest of the file cannot hold is bad data, never a large allocation or a long loop.
/// </summary>
internal sealed class GgufReader(Stream stream)
{
    // Large enough for any GGUF key (at most 65535 bytes by the spec).
    private readonly byte[] buffer = new byte[64 * 1024];
    private readonly long length = stream.Length;
    private int start;
    private int end;
    private long position;

    /// <summary>Where the next read starts, from the beginning of the file.</summary>
    public long Position => position;

    public long Remaining => length - position;

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(sizeof(uint)));

    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(sizeof(ulong)));

    /// <summary>A count of items of at least <paramref name="minBytes"/> each, which the rest of the file must be able to hold.</summary>
    public ulong Count(int minBytes, string what)
    {
        var count = U64();
        return count <= (ulong)Remaining / (ulong)minBytes
            ? count
            : throw new InvalidDataException($"it claims {count} {what}, more than its remaining {Remaining} bytes can hold");
    }

    /// <summary>The next <paramref name="n"/> bytes, valid until the next read.</summary>
    public ReadOnlySpan<byte> Take(int n)
    {
        Fill(n);
        var span = buffer.AsSpan(start, n);
        start += n;
        position += n;
        return span;
    }

    public void Skip(ulong n)
    {
        if (n > (ulong)Remaining)
        {
            throw Truncated();
        }

        if (n <= (ulong)(end - start))
        {
            start += (int)n;
        }
        else
        {
            start = end = 0;
            stream.Seek(position + (long)n, SeekOrigin.Begin);
        }

        position += (long)n;
    }

    /// <summary>A GGUF string's length (uint64, then that many bytes), checked against the rest of the file.</summary>
    public ulong StringLength()
    {
        var n = U64();
        return n <= (ulong)Remaining ? n : throw Truncated();
    }

    private void Fill(int n)
    {
        if (end - start >= n)
        {
            return;
        }

        if ((long)n > Remaining)
        {
            throw Truncated();
        }

        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
        end -= start;
        start = 0;
        while (end < n)
        {
            var read = stream.Read(buffer, end, buffer.Length - end);
            if (read == 0)
            {
                throw Truncated();
            }

            end += read;
        }
    }

    private InvalidDataException Truncated() => new($"it ends at byte {length}, inside its header (truncated?)");
}
