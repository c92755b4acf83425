using System.Text;
using Edge.Devices.Scales;

namespace Edge.Devices.Tests.Scales;

public class FrameSplitterTests
{
    private static List<string> Feed(FrameSplitter splitter, byte[] data, int chunk)
    {
        var frames = new List<string>();
        for (var i = 0; i < data.Length; i += chunk)
        {
            ReadOnlySpan<byte> rest = data.AsSpan(i, Math.Min(chunk, data.Length - i));
            while (splitter.TryReadFrame(ref rest, out var frame))
            {
                frames.Add(Encoding.Latin1.GetString(frame));
            }
        }

        return frames;
    }

    private static FramingOptions StxEtx(int trailer = 0, int max = 16) =>
        new() { Mode = FramingMode.Delimited, StartByte = 0x02, EndByte = 0x03, TrailerLength = trailer, MaxFrameLength = max };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    public void Delimited_frames_survive_any_chunking(int chunk)
    {
        var counters = new FrameCounters();
        var frames = Feed(new FrameSplitter(StxEtx(), counters), Encoding.Latin1.GetBytes("\u0002abc\u0003\u0002def\u0003"), chunk);

        Assert.Equal(["\u0002abc\u0003", "\u0002def\u0003"], frames);
        Assert.Equal(0, counters.TotalRejected);
    }

    [Fact]
    public void Garbage_before_the_start_byte_is_discarded_and_counted()
    {
        var counters = new FrameCounters();
        var frames = Feed(new FrameSplitter(StxEtx(), counters), Encoding.Latin1.GetBytes("xyz\u0002abc\u0003"), 100);

        Assert.Equal(["\u0002abc\u0003"], frames);
        Assert.Equal(3, counters.DiscardedBytes);
    }

    [Fact]
    public void Start_byte_inside_a_frame_resynchronises_and_counts_truncation()
    {
        var counters = new FrameCounters();
        var frames = Feed(new FrameSplitter(StxEtx(), counters), Encoding.Latin1.GetBytes("\u0002ab\u0002cde\u0003"), 1);

        Assert.Equal(["\u0002cde\u0003"], frames);
        Assert.Equal(1, counters[FrameRejection.Truncated]);
    }

    [Fact]
    public void Run_without_end_byte_is_bounded_and_counted_as_oversize()
    {
        var counters = new FrameCounters();
        var data = Encoding.Latin1.GetBytes("\u0002" + new string('x', 40) + "\u0003\u0002ok\u0003");
        var frames = Feed(new FrameSplitter(StxEtx(max: 16), counters), data, 7);

        Assert.Equal(["\u0002ok\u0003"], frames);
        Assert.Equal(1, counters[FrameRejection.Oversize]);
    }

    [Fact]
    public void Trailer_byte_equal_to_the_start_byte_stays_in_the_frame()
    {
        var counters = new FrameCounters();
        var options = new FramingOptions { Mode = FramingMode.Delimited, StartByte = 0x02, EndByte = 0x0D, TrailerLength = 1, MaxFrameLength = 17 };
        var frames = Feed(new FrameSplitter(options, counters), [0x02, (byte)'a', 0x0D, 0x02, 0x02, (byte)'b', 0x0D, 0x7F], 1);

        Assert.Equal(["\u0002a\r\u0002", "\u0002b\r\u007F"], frames);
    }

    [Fact]
    public void Lines_split_on_cr_or_lf_and_skip_empty_lines()
    {
        var counters = new FrameCounters();
        var frames = Feed(new FrameSplitter(new FramingOptions(), counters), Encoding.ASCII.GetBytes("S S 1 kg\r\n\r\nS S 2 kg\nS S 3 kg\r"), 2);

        Assert.Equal(["S S 1 kg", "S S 2 kg", "S S 3 kg"], frames);
    }

    [Fact]
    public void Overlong_line_is_dropped_and_the_next_line_is_intact()
    {
        var counters = new FrameCounters();
        var data = Encoding.ASCII.GetBytes(new string('x', 50) + "\r\nS S 1 kg\r\n");
        var frames = Feed(new FrameSplitter(new FramingOptions { MaxFrameLength = 16 }, counters), data, 5);

        Assert.Equal(["S S 1 kg"], frames);
        Assert.Equal(1, counters[FrameRejection.Oversize]);
    }

    [Fact]
    public void Reset_drops_a_partial_frame_as_truncated()
    {
        var counters = new FrameCounters();
        var splitter = new FrameSplitter(StxEtx(), counters);
        Feed(splitter, Encoding.Latin1.GetBytes("\u0002ab"), 10);

        splitter.Reset();
        var frames = Feed(splitter, Encoding.Latin1.GetBytes("cd\u0003\u0002ef\u0003"), 10);

        Assert.Equal(["\u0002ef\u0003"], frames);
        Assert.Equal(1, counters[FrameRejection.Truncated]);
    }

    [Fact]
    public void Equal_start_and_end_bytes_are_a_configuration_error()
    {
        var ex = Assert.Throws<DeviceConfigurationException>(() => new FrameSplitter(new FramingOptions { Mode = FramingMode.Delimited, StartByte = 3, EndByte = 3 }, new FrameCounters()));

        Assert.Contains("Framing:EndByte", ex.Message);
    }
}
