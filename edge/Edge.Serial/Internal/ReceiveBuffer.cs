namespace Edge.Serial.Internal;

/// <summary>Result of looking for a frame in the received bytes.</summary>
internal enum FrameSearch
{
    /// <summary>A complete frame was taken.</summary>
    Found,

    /// <summary>No terminator yet; the bytes stay buffered.</summary>
    NeedMore,

    /// <summary>More than the allowed length arrived without a terminator; those bytes were discarded.</summary>
    TooLong,
}

/// <summary>
/// Bytes received but not yet handed out, with the frame splitting scale-indicator parsers need. Pure logic, no
/// I/O and no locking: one reader at a time owns it.
/// </summary>
internal sealed class ReceiveBuffer
{
    private byte[] _bytes = new byte[256];
    private int _start;
    private int _count;

    // A line ended with CR at the very end of the buffer: the LF of a CR LF pair may still be on its way.
    private bool _skipLeadingLineFeed;

    internal int Count => _count;

    internal ReadOnlySpan<byte> Pending => _bytes.AsSpan(_start, _count);

    internal void Append(ReadOnlySpan<byte> data)
    {
        if (_start + _count + data.Length > _bytes.Length)
        {
            var needed = _count + data.Length;
            if (needed > _bytes.Length)
            {
                var larger = new byte[Math.Max(needed, _bytes.Length * 2)];
                Pending.CopyTo(larger);
                _bytes = larger;
            }
            else
            {
                Pending.CopyTo(_bytes);
            }

            _start = 0;
        }

        data.CopyTo(_bytes.AsSpan(_start + _count));
        _count += data.Length;
    }

    internal int Take(Span<byte> destination)
    {
        _skipLeadingLineFeed = false;
        var n = Math.Min(destination.Length, _count);
        Pending[..n].CopyTo(destination);
        Consume(n);
        return n;
    }

    internal void Clear()
    {
        _start = 0;
        _count = 0;
        _skipLeadingLineFeed = false;
    }

    /// <summary>Takes the bytes before the first <paramref name="delimiter"/> and drops the delimiter.</summary>
    internal FrameSearch TryTakeFrame(ReadOnlySpan<byte> delimiter, int maxLength, out byte[] frame)
    {
        _skipLeadingLineFeed = false;
        var index = Pending.IndexOf(delimiter);
        if (index >= 0 && index <= maxLength)
        {
            frame = Pending[..index].ToArray();
            Consume(index + delimiter.Length);
            return FrameSearch.Found;
        }

        frame = [];
        if (index > maxLength || _count >= maxLength + delimiter.Length)
        {
            // Keep a tail that could be the start of a delimiter split across reads.
            Consume(index > maxLength ? index + delimiter.Length : _count - (delimiter.Length - 1));
            return FrameSearch.TooLong;
        }

        return FrameSearch.NeedMore;
    }

    /// <summary>Takes one line ended by CR, LF or CR LF (scale indicators use all three); the terminator is dropped.</summary>
    internal FrameSearch TryTakeLine(int maxLength, out byte[] line)
    {
        if (_skipLeadingLineFeed && _count > 0)
        {
            _skipLeadingLineFeed = false;
            if (_bytes[_start] == (byte)'\n')
            {
                Consume(1);
            }
        }

        var index = Pending.IndexOfAny((byte)'\r', (byte)'\n');
        if (index >= 0)
        {
            var found = index <= maxLength;
            line = found ? Pending[..index].ToArray() : [];
            Consume(EndOfTerminator(index));
            return found ? FrameSearch.Found : FrameSearch.TooLong;
        }

        line = [];
        if (_count > maxLength)
        {
            Consume(_count);
            return FrameSearch.TooLong;
        }

        return FrameSearch.NeedMore;
    }

    /// <summary>Bytes up to and including the line terminator at <paramref name="index"/> (CR LF counts as one).</summary>
    private int EndOfTerminator(int index)
    {
        var end = index + 1;
        if (_bytes[_start + index] == (byte)'\r')
        {
            if (end < _count)
            {
                if (_bytes[_start + end] == (byte)'\n')
                {
                    end++;
                }
            }
            else
            {
                _skipLeadingLineFeed = true;
            }
        }

        return end;
    }

    private void Consume(int n)
    {
        _start += n;
        _count -= n;
        if (_count == 0)
        {
            _start = 0;
        }
    }
}
