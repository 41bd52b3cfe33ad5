namespace TokenBroker.Storage;

/// <summary>
/// A file opened read-only whose writes and truncations land in memory: LiteDB can open it as if it
/// owned it, while the file itself never changes and only the blocks LiteDB writes are held in memory.
/// </summary>
internal sealed class OverlayStream : Stream
{
    private const int BlockSize = 8192;

    private readonly FileStream _file;
    /// <summary>How much of the file is still visible: a truncation hides the rest.</summary>
    private long _fileLength;
    private readonly Dictionary<long, byte[]> _written = [];
    private long _length;
    private long _position;

    private OverlayStream(FileStream file)
    {
        _file = file;
        _fileLength = file.Length;
        _length = _fileLength;
    }

    /// <summary>Opens <paramref name="path"/> for reading; a missing file reads as empty.</summary>
    public static Stream Open(string path) =>
        File.Exists(path)
            ? new OverlayStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.RandomAccess))
            : new MemoryStream();

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = (int)Math.Clamp(_length - _position, 0, buffer.Length);
        var done = 0;
        while (done < total)
        {
            var (block, within, size) = Locate(_position, total - done);
            var target = buffer.Slice(done, size);
            if (_written.TryGetValue(block, out var data))
            {
                data.AsSpan(within, size).CopyTo(target);
            }
            else
            {
                ReadFromFile(block * BlockSize + within, target);
            }

            done += size;
            _position += size;
        }

        return total;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var (block, within, size) = Locate(_position, buffer.Length - done);
            if (!_written.TryGetValue(block, out var data))
            {
                data = new byte[BlockSize];
                ReadFromFile(block * BlockSize, data);
                _written[block] = data;
            }

            buffer.Slice(done, size).CopyTo(data.AsSpan(within));
            done += size;
            _position += size;
        }

        _length = Math.Max(_length, _position);
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override void SetLength(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        if (value < _length)
        {
            // Whatever lies past the new end reads as zeros if the stream grows again.
            _fileLength = Math.Min(_fileLength, value);
            var (block, within, _) = Locate(value, 0);
            if (_written.TryGetValue(block, out var data))
            {
                data.AsSpan(within).Clear();
            }

            foreach (var later in _written.Keys.Where(key => key > block).ToList())
            {
                _written.Remove(later);
            }
        }

        _length = value;
        _position = Math.Min(_position, value);
    }

    public override void Flush()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    private static (long Block, int Within, int Size) Locate(long position, int wanted)
    {
        var within = (int)(position % BlockSize);
        return (position / BlockSize, within, Math.Min(wanted, BlockSize - within));
    }

    /// <summary>Reads what the file holds at <paramref name="position"/>, zeros past its (possibly truncated) end.</summary>
    private void ReadFromFile(long position, Span<byte> target)
    {
        var fromFile = (int)Math.Clamp(_fileLength - position, 0, target.Length);
        if (fromFile > 0)
        {
            RandomAccess.Read(_file.SafeFileHandle, target[..fromFile], position);
        }

        target[fromFile..].Clear();
    }
}
