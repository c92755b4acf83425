using System.Globalization;
using Edge.Hub.Influx;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Edge.Hub.Tests.Influx;

public class LineProtocolTests
{
    private static readonly DateTimeOffset s_ts = new(2026, 3, 1, 8, 30, 15, TimeSpan.Zero);

    private static InfluxPoint Point(
        string measurement = "m",
        Dictionary<string, string>? tags = null,
        Dictionary<string, InfluxFieldValue>? fields = null,
        DateTimeOffset? ts = null) => new()
        {
            Measurement = measurement,
            Tags = tags ?? [],
            Fields = fields ?? new() { ["v"] = InfluxFieldValue.Integer(1) },
            Timestamp = ts ?? DateTimeOffset.UnixEpoch,
        };

    private static InfluxPoint WithField(InfluxFieldValue value) => Point(fields: new() { ["v"] = value });

    [Fact]
    public void Measurement_escapes_commas_and_spaces_but_not_equals_signs()
    {
        Assert.Equal(@"we\ ig\,ht=x v=1i 0", LineProtocol.Format(Point("we ig,ht=x")));
    }

    [Fact]
    public void Tag_keys_and_values_escape_commas_equals_signs_and_spaces()
    {
        var line = LineProtocol.Format(Point(tags: new() { ["a key,=x"] = "a value,=y" }));
        Assert.Equal(@"m,a\ key\,\=x=a\ value\,\=y v=1i 0", line);
    }

    [Fact]
    public void Field_keys_escape_commas_equals_signs_and_spaces()
    {
        var line = LineProtocol.Format(Point(fields: new() { ["f k,=z"] = InfluxFieldValue.Integer(2) }));
        Assert.Equal(@"m f\ k\,\=z=2i 0", line);
    }

    [Fact]
    public void String_field_escapes_double_quotes_and_backslashes_only()
    {
        var line = LineProtocol.Format(WithField(InfluxFieldValue.String("say \"hi\", C:\\dir\\ = done\t")));
        Assert.Equal("m v=\"say \\\"hi\\\", C:\\\\dir\\\\ = done\t\" 0", line);
    }

    [Fact]
    public void String_field_ending_in_a_backslash_stays_inside_its_quotes()
    {
        Assert.Equal("m v=\"ends\\\\\" 0", LineProtocol.Format(WithField(InfluxFieldValue.String("ends\\"))));
    }

    [Fact]
    public void Non_ascii_text_is_written_as_is()
    {
        var line = LineProtocol.Format(Point("重量", new() { ["unit"] = "°C" }, new() { ["label"] = InfluxFieldValue.String("毛重") }));
        Assert.Equal("重量,unit=°C label=\"毛重\" 0", line);
    }

    [Theory]
    [InlineData("measurement", "\n")]
    [InlineData("measurement", "\r")]
    [InlineData("tag key", "\n")]
    [InlineData("tag value", "\r")]
    [InlineData("field key", "\n")]
    [InlineData("string field", "\n")]
    [InlineData("string field", "\r")]
    public void Line_breaks_are_refused_everywhere(string where, string lineBreak)
    {
        var text = "a" + lineBreak + "b";
        var point = where switch
        {
            "measurement" => Point(text),
            "tag key" => Point(tags: new() { [text] = "x" }),
            "tag value" => Point(tags: new() { ["t"] = text }),
            "field key" => Point(fields: new() { [text] = InfluxFieldValue.Integer(1) }),
            _ => WithField(InfluxFieldValue.String(text)),
        };
        var ex = Assert.Throws<LineProtocolException>(() => LineProtocol.Format(point));
        Assert.Contains("line break", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(@"ends\")]
    [InlineData(@"a\ b")]
    [InlineData(@"a\,b")]
    [InlineData(@"a\=b")]
    [InlineData(@"a\\")]
    public void Backslash_before_an_escaped_character_or_the_end_is_refused_in_names_and_tags(string value)
    {
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point(tags: new() { ["t"] = value })));
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point(tags: new() { [value] = "x" })));
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point(fields: new() { [value] = InfluxFieldValue.Integer(1) })));
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point("m" + value)));
    }

    [Fact]
    public void Backslash_before_an_ordinary_character_is_literal()
    {
        Assert.Equal(@"m\x,t=a\\b v=1i 0", LineProtocol.Format(Point(@"m\x", new() { ["t"] = @"a\\b" })));
    }

    [Fact]
    public void Measurement_starting_with_a_hash_is_refused_because_it_would_be_a_comment()
    {
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point("#weight")));
    }

    [Fact]
    public void Tag_or_field_named_time_is_refused()
    {
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point(tags: new() { ["time"] = "x" })));
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point(fields: new() { ["time"] = InfluxFieldValue.Integer(1) })));
    }

    [Fact]
    public void Empty_names_and_missing_fields_are_refused()
    {
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point("")));
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point(tags: new() { [""] = "x" })));
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point(fields: new() { [""] = InfluxFieldValue.Integer(1) })));
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point(fields: [])));
    }

    [Fact]
    public void Empty_tag_values_are_left_out_as_influx_has_none()
    {
        Assert.Equal("m,b=2 v=1i 0", LineProtocol.Format(Point(tags: new() { ["a"] = "", ["b"] = "2" })));
    }

    [Fact]
    public void Tags_and_fields_are_written_sorted_by_key_so_a_point_has_one_text()
    {
        var a = Point(tags: new() { ["z"] = "1", ["a"] = "2", ["M"] = "3" }, fields: new() { ["y"] = InfluxFieldValue.Integer(1), ["b"] = InfluxFieldValue.Boolean(true) });
        var b = Point(tags: new() { ["M"] = "3", ["z"] = "1", ["a"] = "2" }, fields: new() { ["b"] = InfluxFieldValue.Boolean(true), ["y"] = InfluxFieldValue.Integer(1) });
        Assert.Equal("m,M=3,a=2,z=1 b=true,y=1i 0", LineProtocol.Format(a));
        Assert.Equal(LineProtocol.Format(a), LineProtocol.Format(b));
    }

    [Theory]
    [InlineData(0L, "0i")]
    [InlineData(-42L, "-42i")]
    [InlineData(long.MaxValue, "9223372036854775807i")]
    [InlineData(long.MinValue, "-9223372036854775808i")]
    public void Integers_carry_the_i_suffix(long value, string expected)
    {
        Assert.Equal($"m v={expected} 0", LineProtocol.Format(WithField(InfluxFieldValue.Integer(value))));
    }

    [Fact]
    public void Unsigned_values_are_integers_up_to_int64_and_refused_above()
    {
        Assert.Equal("m v=9223372036854775807i 0", LineProtocol.Format(WithField(InfluxFieldValue.Unsigned(long.MaxValue))));
        var ex = Assert.Throws<LineProtocolException>(() => LineProtocol.Format(WithField(InfluxFieldValue.Unsigned((ulong)long.MaxValue + 1))));
        Assert.Contains("2^63", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Booleans_are_true_or_false()
    {
        Assert.Equal("m v=true 0", LineProtocol.Format(WithField(InfluxFieldValue.Boolean(true))));
        Assert.Equal("m v=false 0", LineProtocol.Format(WithField(InfluxFieldValue.Boolean(false))));
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0, "1")]
    [InlineData(-0.0, "-0")]
    [InlineData(12345.678, "12345.678")]
    [InlineData(1e20, "1E+20")]
    [InlineData(1e-5, "1E-05")]
    [InlineData(double.MaxValue, "1.7976931348623157E+308")]
    [InlineData(double.Epsilon, "5E-324")]
    public void Floats_use_invariant_culture_and_the_shortest_round_trip_text(double value, string expected)
    {
        Assert.Equal($"m v={expected} 0", LineProtocol.Format(WithField(InfluxFieldValue.Float(value))));
    }

    [Fact]
    public void Every_finite_float_round_trips_through_its_text()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<double>().Filter(double.IsFinite), value =>
        {
            var text = LineProtocol.FormatFloat(value);
            return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture).Equals(value)
                && !text.Contains(',', StringComparison.Ordinal)
                && !text.Contains(' ', StringComparison.Ordinal);
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NaN_and_infinities_are_refused(double value)
    {
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(WithField(InfluxFieldValue.Float(value))));
        Assert.Throws<LineProtocolException>(() => LineProtocol.FormatFloat(value));
    }

    [Fact]
    public void Timestamp_is_nanoseconds_since_the_epoch_from_the_100ns_tick()
    {
        var ts = s_ts.AddTicks(1_234_567); // 123.4567 ms
        var expected = ((ts.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100).ToString(CultureInfo.InvariantCulture);
        Assert.EndsWith("4567" + "00", expected, StringComparison.Ordinal);
        Assert.Equal($"m v=1i {expected}", LineProtocol.Format(Point(ts: ts)));
    }

    [Fact]
    public void The_same_instant_in_another_offset_gives_the_same_timestamp()
    {
        var utc = s_ts.AddTicks(7);
        var china = utc.ToOffset(TimeSpan.FromHours(8));
        Assert.Equal(LineProtocol.Format(Point(ts: utc)), LineProtocol.Format(Point(ts: china)));
    }

    [Fact]
    public void Timestamps_outside_the_range_influx_stores_are_refused()
    {
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point(ts: new DateTimeOffset(2263, 1, 1, 0, 0, 0, TimeSpan.Zero))));
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(Point(ts: new DateTimeOffset(1677, 1, 1, 0, 0, 0, TimeSpan.Zero))));
    }

    [Fact]
    public void Describe_shows_an_unwritable_point_on_one_line()
    {
        var text = LineProtocol.Describe(WithField(InfluxFieldValue.String("a\nb")));
        Assert.DoesNotContain('\n', text);
        Assert.Contains("a\\nb", text, StringComparison.Ordinal);
    }
}
