using System.Text;
using Edge.Hub.Influx;
using Xunit;

namespace Edge.Hub.Tests.Influx;

public class InfluxErrorsTests
{
    private static byte[][] Lines(params string[] lines) => [.. lines.Select(Encoding.UTF8.GetBytes)];

    [Fact]
    public void Message_is_taken_from_the_json_error_member()
    {
        Assert.Equal("field type conflict", InfluxErrors.ExtractMessage("{\"error\":\"field type conflict\"}\n", null));
        Assert.Equal("<html>bad gateway</html>", InfluxErrors.ExtractMessage("<html>bad gateway</html>", null));
        Assert.Equal("from header", InfluxErrors.ExtractMessage("", "from header"));
    }

    [Fact]
    public void Parse_errors_in_a_partial_write_name_the_lines()
    {
        var lines = Lines("m v=1i 1", "bad line here", "m v=2i 2", "other bad=", "m v=3i 3");
        var message = "partial write: unable to parse 'bad line here': invalid field format\nunable to parse 'other bad=': missing field value dropped=0";
        var analysis = InfluxErrors.AnalyzeBadRequest(message, lines);
        Assert.Equal([1, 3], analysis.Identified.Select(i => i.Index));
        Assert.Equal("unable to parse: invalid field format", analysis.Identified[0].Reason);
        Assert.Equal("unable to parse: missing field value", analysis.Identified[1].Reason);
        Assert.False(analysis.AllDropped);
    }

    [Fact]
    public void Parse_error_without_partial_write_names_the_line()
    {
        var analysis = InfluxErrors.AnalyzeBadRequest("unable to parse 'bad': missing fields", Lines("bad", "m v=1i 1"));
        Assert.Equal([0], analysis.Identified.Select(i => i.Index));
        Assert.False(analysis.AllDropped);
    }

    [Fact]
    public void A_named_line_containing_quote_colon_is_still_found()
    {
        var bad = "m s=\"it': x\" notatime";
        var analysis = InfluxErrors.AnalyzeBadRequest($"partial write: unable to parse '{bad}': bad timestamp dropped=0", Lines("m v=1i 1", bad));
        Assert.Equal([1], analysis.Identified.Select(i => i.Index));
        Assert.Equal("unable to parse: bad timestamp", analysis.Identified[0].Reason);
    }

    [Fact]
    public void Field_type_conflict_pins_the_lines_with_that_measurement_field_and_type()
    {
        var lines = Lines("m,t=a v=1 1", "m,t=a v=\"x\" 2", "n v=\"x\" 3", @"m,t=b w=1i,v=""y"" 4", "m v=2 5");
        var message = "partial write: field type conflict: input field \"v\" on measurement \"m\" is type string, already exists as type float dropped=2";
        var analysis = InfluxErrors.AnalyzeBadRequest(message, lines);
        Assert.Equal([1, 3], analysis.Identified.Select(i => i.Index));
        Assert.StartsWith("field type conflict", analysis.Identified[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Field_type_conflict_with_more_dropped_than_pinned_still_names_the_pinned_lines()
    {
        var lines = Lines("m v=\"x\" 1", "m v=2i 2", "m v=3 3");
        var message = "partial write: field type conflict: input field \"v\" on measurement \"m\" is type string, already exists as type float dropped=2";
        var analysis = InfluxErrors.AnalyzeBadRequest(message, lines);
        Assert.Equal([0], analysis.Identified.Select(i => i.Index));
        Assert.False(analysis.AllDropped);
    }

    [Fact]
    public void Field_type_conflict_pinning_more_lines_than_dropped_names_none()
    {
        // Field types are per shard: the second matching line may sit in a shard where string is the right type.
        var lines = Lines("m v=\"x\" 1", "m v=\"y\" 2", "m v=3 3");
        var message = "partial write: field type conflict: input field \"v\" on measurement \"m\" is type string, already exists as type float dropped=1";
        var analysis = InfluxErrors.AnalyzeBadRequest(message, lines);
        Assert.Empty(analysis.Identified);
        Assert.False(analysis.AllDropped);
    }

    [Fact]
    public void Escaped_names_are_compared_unescaped()
    {
        var lines = Lines(@"we\ ight,site=a k\,g=""x"" 1", @"we\ ight,site=a k\,g=1 2");
        var message = "partial write: field type conflict: input field \"k,g\" on measurement \"we ight\" is type string, already exists as type float dropped=1";
        var analysis = InfluxErrors.AnalyzeBadRequest(message, lines);
        Assert.Equal([0], analysis.Identified.Select(i => i.Index));
    }

    [Fact]
    public void A_partial_write_that_dropped_every_line_condemns_all_without_bisecting()
    {
        var analysis = InfluxErrors.AnalyzeBadRequest("partial write: points beyond retention policy dropped=2", Lines("m v=1i 1", "m v=1i 2"));
        Assert.True(analysis.AllDropped);
        Assert.Empty(analysis.Identified);
    }

    [Fact]
    public void A_message_that_names_no_line_identifies_nothing()
    {
        var analysis = InfluxErrors.AnalyzeBadRequest("partial write: points beyond retention policy dropped=1", Lines("m v=1i 1", "m v=1i 2"));
        Assert.Empty(analysis.Identified);
        Assert.False(analysis.AllDropped);
    }

    [Theory]
    [InlineData("database not found: \"x\"", true)]
    [InlineData("retention policy not found: autogen2", true)]
    [InlineData("field type conflict", false)]
    public void Missing_database_or_retention_policy_is_a_configuration_fault(string message, bool expected)
    {
        Assert.Equal(expected, InfluxErrors.IsDestinationMissing(message));
    }

    [Fact]
    public void Line_reader_reads_back_measurement_and_field_types_of_formatted_points()
    {
        var point = new InfluxPoint
        {
            Measurement = "a b,c",
            Tags = new Dictionary<string, string> { ["t k"] = "v,=x" },
            Fields = new Dictionary<string, InfluxFieldValue>
            {
                ["f"] = InfluxFieldValue.Float(1.5),
                ["i"] = InfluxFieldValue.Integer(-3),
                ["b"] = InfluxFieldValue.Boolean(false),
                ["s, ="] = InfluxFieldValue.String("q\"u,o te\\ "),
            },
            Timestamp = DateTimeOffset.UnixEpoch,
        };
        Assert.True(LineReader.TryRead(LineProtocol.FormatUtf8(point), out var measurement, out var fields));
        Assert.Equal("a b,c", measurement);
        Assert.Equal(InfluxFieldKind.Float, fields["f"]);
        Assert.Equal(InfluxFieldKind.Integer, fields["i"]);
        Assert.Equal(InfluxFieldKind.Boolean, fields["b"]);
        Assert.Equal(InfluxFieldKind.String, fields["s, ="]);
    }
}
