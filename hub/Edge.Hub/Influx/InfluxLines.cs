using System.Buffers;
using System.Globalization;
using System.Text;

namespace Edge.Hub.Influx;

/// <summary>
/// A group of points already formatted as line protocol: UTF-8 lines without their line feeds, back to back in one
/// buffer, each with the reason it cannot be written when it cannot. What the writer queues; made by
/// <see cref="InfluxLinesBuilder"/>.
/// </summary>
/// <remarks>Immutable once built, so the writer may read it from any thread.</remarks>
internal sealed class InfluxLines
{
    private readonly byte[] _utf8;
    private readonly int[] _ends;
    private readonly string?[]? _rejections;

    internal InfluxLines(byte[] utf8, int[] ends, string?[]? rejections)
    {
        _utf8 = utf8;
        _ends = ends;
        _rejections = rejections;
    }

    /// <summary>How many lines.</summary>
    public int Count => _ends.Length;

    /// <summary>Bytes of all lines together, line feeds not counted.</summary>
    public int ByteCount => _ends.Length == 0 ? 0 : _ends[^1];

    /// <summary>Line <paramref name="index"/> (for a rejected point: its description, for the dead letter).</summary>
    /// <param name="index">The line's index in the group.</param>
    /// <returns>The UTF-8 bytes, without a line feed.</returns>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            var start = index == 0 ? 0 : _ends[index - 1];
            return _utf8.AsSpan(start, _ends[index] - start);
        }
    }

    /// <summary>Why line <paramref name="index"/> cannot be written as line protocol, or <see langword="null"/> when it can.</summary>
    /// <param name="index">The line's index in the group.</param>
    /// <returns>The reason, ready for a dead letter.</returns>
    public string? Rejection(int index) => _rejections?[index];
}

/// <summary>
/// Builds an <see cref="InfluxLines"/> line by line in a reused buffer. Either formats whole points
/// (<see cref="Append(InfluxPoint)"/>, with <see cref="LineProtocol"/>'s rules), or lets a caller that has checked its
/// values are plain write the bytes of a line itself (<see cref="InfluxSchema"/> does for readings).
/// </summary>
/// <remarks>Not thread-safe: one builder per thread or per consumer.</remarks>
internal sealed class InfluxLinesBuilder : IBufferWriter<byte>
{
    private readonly List<int> _ends = [];
    private byte[] _buffer;
    private List<string?>? _rejections;
    private int _length;
    private int _lineStart;

    /// <summary>Creates a builder.</summary>
    /// <param name="initialBytes">The buffer's first size; it grows as needed and is kept for the next group.</param>
    public InfluxLinesBuilder(int initialBytes = 4096)
    {
        _buffer = new byte[Math.Max(256, initialBytes)];
    }

    /// <summary>Lines finished so far.</summary>
    public int Count => _ends.Count;

    /// <summary>Formats a point as one line, or, when line protocol cannot carry it, adds its description with the reason.</summary>
    /// <param name="point">The point.</param>
    public void Append(InfluxPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        DiscardLine();
        try
        {
            LineProtocol.FormatUtf8(point, this);
            EndLine(null);
        }
        catch (LineProtocolException ex)
        {
            // Not thrown at the caller: the reading is real data, so it is kept as a dead letter and settled.
            DiscardLine();
            Write(LineProtocol.Describe(point));
            EndLine($"not writable as line protocol: {ex.Message}");
        }
    }

    /// <summary>Writes bytes into the line being built.</summary>
    /// <param name="utf8">The bytes; the caller has escaped or checked them.</param>
    public void Write(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(GetSpan(utf8.Length));
        _length += utf8.Length;
    }

    /// <summary>Writes text into the line being built, as UTF-8.</summary>
    /// <param name="text">The text; the caller has checked that line protocol needs nothing escaped in it.</param>
    public void Write(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _length += Encoding.UTF8.GetBytes(text, GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
    }

    /// <summary>Writes an integer in invariant digits.</summary>
    /// <param name="value">The value.</param>
    public void Write(long value)
    {
        value.TryFormat(GetSpan(20), out var written, default, CultureInfo.InvariantCulture);
        _length += written;
    }

    /// <summary>Writes a finite float as line protocol wants it: the shortest text that round-trips (as <see cref="LineProtocol.FormatFloat"/>).</summary>
    /// <param name="value">The value; the caller has checked it is finite.</param>
    public void Write(double value)
    {
        value.TryFormat(GetSpan(32), out var written, "R", CultureInfo.InvariantCulture);
        _length += written;
    }

    /// <summary>Finishes the line being built.</summary>
    public void EndLine() => EndLine(null);

    /// <summary>Drops whatever was written since the last finished line.</summary>
    public void DiscardLine() => _length = _lineStart;

    /// <summary>The lines built so far, copied out; the builder is empty afterwards and keeps its buffer.</summary>
    /// <returns>The group.</returns>
    public InfluxLines ToLines()
    {
        DiscardLine();
        var lines = new InfluxLines(_buffer.AsSpan(0, _length).ToArray(), [.. _ends], _rejections?.ToArray());
        Clear();
        return lines;
    }

    /// <summary>Forgets every line.</summary>
    public void Clear()
    {
        _ends.Clear();
        _rejections = null;
        _length = 0;
        _lineStart = 0;
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _length);
        _length += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_length);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Reserve(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }

    private void EndLine(string? rejection)
    {
        if (rejection is not null)
        {
            _rejections ??= [.. Enumerable.Repeat<string?>(null, _ends.Count)];
        }

        _ends.Add(_length);
        _rejections?.Add(rejection);
        _lineStart = _length;
    }
}
