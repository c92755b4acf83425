using System.Text;
using Edge.Serial.Internal;
using FsCheck;
using FsCheck.Fluent;

namespace Edge.Serial.Tests;

public class ReceiveBufferTests
{
    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    [Fact]
    public void Frame_split_across_chunks_is_returned_once_complete()
    {
        var buffer = new ReceiveBuffer();
        buffer.Append(Ascii("ST,GS,+00012"));
        Assert.Equal(FrameSearch.NeedMore, buffer.TryTakeFrame(Ascii("\r\n"), 64, out _));
        buffer.Append(Ascii("5.0kg\r"));
        Assert.Equal(FrameSearch.NeedMore, buffer.TryTakeFrame(Ascii("\r\n"), 64, out _));
        buffer.Append(Ascii("\nST,"));
        Assert.Equal(FrameSearch.Found, buffer.TryTakeFrame(Ascii("\r\n"), 64, out var frame));
        Assert.Equal("ST,GS,+000125.0kg", Encoding.ASCII.GetString(frame));
        Assert.Equal("ST,", Encoding.ASCII.GetString(buffer.Pending));
    }

    [Fact]
    public void Frame_longer_than_the_limit_is_discarded_and_the_next_frame_is_intact()
    {
        var buffer = new ReceiveBuffer();
        buffer.Append(Ascii(new string('x', 20) + "\r\nOK\r\n"));
        Assert.Equal(FrameSearch.TooLong, buffer.TryTakeFrame(Ascii("\r\n"), 10, out _));
        Assert.Equal(FrameSearch.Found, buffer.TryTakeFrame(Ascii("\r\n"), 10, out var frame));
        Assert.Equal("OK", Encoding.ASCII.GetString(frame));
    }

    [Fact]
    public void Garbage_without_terminator_beyond_the_limit_is_dropped_but_a_split_delimiter_tail_is_kept()
    {
        var buffer = new ReceiveBuffer();
        buffer.Append(Ascii(new string('x', 12) + "\r"));
        Assert.Equal(FrameSearch.TooLong, buffer.TryTakeFrame(Ascii("\r\n"), 10, out _));
        buffer.Append(Ascii("\nA\r\n"));
        Assert.Equal(FrameSearch.Found, buffer.TryTakeFrame(Ascii("\r\n"), 10, out var first));
        Assert.Empty(first);
        Assert.Equal(FrameSearch.Found, buffer.TryTakeFrame(Ascii("\r\n"), 10, out var second));
        Assert.Equal("A", Encoding.ASCII.GetString(second));
    }

    [Theory]
    [InlineData("a\rb\rc\r")]
    [InlineData("a\nb\nc\n")]
    [InlineData("a\r\nb\r\nc\r\n")]
    [InlineData("a\r\nb\nc\r")]
    public void Lines_end_with_CR_LF_or_CRLF(string text)
    {
        var buffer = new ReceiveBuffer();
        buffer.Append(Ascii(text));
        var lines = new List<string>();
        while (buffer.TryTakeLine(64, out var line) == FrameSearch.Found)
        {
            lines.Add(Encoding.ASCII.GetString(line));
        }

        Assert.Equal(["a", "b", "c"], lines);
    }

    [Fact]
    public void CRLF_split_between_chunks_yields_no_empty_line()
    {
        var buffer = new ReceiveBuffer();
        buffer.Append(Ascii("12.5\r"));
        Assert.Equal(FrameSearch.Found, buffer.TryTakeLine(64, out var first));
        buffer.Append(Ascii("\n13.0\r\n"));
        Assert.Equal(FrameSearch.Found, buffer.TryTakeLine(64, out var second));
        Assert.Equal("12.5", Encoding.ASCII.GetString(first));
        Assert.Equal("13.0", Encoding.ASCII.GetString(second));
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void Take_copies_at_most_the_destination_and_keeps_the_rest()
    {
        var buffer = new ReceiveBuffer();
        buffer.Append(Ascii("abcdef"));
        var destination = new byte[4];
        Assert.Equal(4, buffer.Take(destination));
        Assert.Equal("abcd", Encoding.ASCII.GetString(destination));
        Assert.Equal("ef", Encoding.ASCII.GetString(buffer.Pending));
    }

    [Fact]
    public void Any_chunking_of_CRLF_lines_yields_the_same_lines()
    {
        var lineChars = Gen.Elements("0123456789+-.,kgGSNT ".ToCharArray());
        var line = Gen.ArrayOf(lineChars).Select(c => new string(c));
        var lines = Gen.NonEmptyListOf(line).Select(l => l.ToArray());
        var cuts = Gen.ListOf(Gen.Choose(1, 7)).Select(c => c.ToArray());
        Prop.ForAll(lines.ToArbitrary(), cuts.ToArbitrary(), (sent, chunkSizes) =>
        {
            var bytes = Ascii(string.Concat(sent.Select(l => l + "\r\n")));
            var buffer = new ReceiveBuffer();
            var received = new List<string>();
            var offset = 0;
            var i = 0;
            while (offset < bytes.Length)
            {
                var size = chunkSizes.Length == 0 ? bytes.Length : Math.Min(chunkSizes[i++ % chunkSizes.Length], bytes.Length - offset);
                buffer.Append(bytes.AsSpan(offset, size));
                offset += size;
                while (buffer.TryTakeLine(4096, out var l) == FrameSearch.Found)
                {
                    received.Add(Encoding.ASCII.GetString(l));
                }
            }

            return received.SequenceEqual(sent);
        }).QuickCheckThrowOnFailure();
    }
}
