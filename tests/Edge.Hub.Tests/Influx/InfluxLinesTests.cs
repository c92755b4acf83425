using System.Text;
using Edge.Contracts;
using Edge.Hub.Influx;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Edge.Hub.Tests.Influx;

public class InfluxLinesTests
{
    private static readonly DateTimeOffset s_ts = new(2026, 3, 1, 8, 0, 0, 123, TimeSpan.Zero);

    // Mostly contract-shaped values, plus everything the direct path must hand back to the point path: characters
    // line protocol escapes or refuses, empty texts, non-ASCII, non-finite floats, unsigned values above Int64.
    private static readonly string[] s_names = ["plant1", "gw-01", "scale.1", "a_b", "x", "", "a b", "a,b", "a=b", "a\\b", "a\"b", "°C", "重量", "a\nb", "#x", "time"];
    private static readonly double[] s_floats = [0, -0.0, 1, 1.5, -2.25, 1e20, 1e-7, 24560.5, 1005, double.MaxValue, double.Epsilon, double.NaN, double.PositiveInfinity];
    private static readonly ulong[] s_unsigned = [0, 1, 65535, long.MaxValue, (ulong)long.MaxValue + 1, ulong.MaxValue];
    private static readonly DateTimeOffset[] s_times = [s_ts, DateTimeOffset.UnixEpoch, new(1600, 1, 1, 0, 0, 0, TimeSpan.Zero), new(2300, 1, 1, 0, 0, 0, TimeSpan.Zero), s_ts.AddTicks(7)];

    private static Gen<Reading> Readings() =>
        from kind in Gen.Choose(0, 3)
        from seq in Gen.Choose(1, int.MaxValue)
        from device in Gen.Elements(s_names)
        from channel in Gen.Elements(s_names.Append(null).ToArray())
        from ts in Gen.Elements(s_times)
        from f1 in Gen.Elements(s_floats)
        from f2 in Gen.Elements(s_floats)
        from u1 in Gen.Elements(s_unsigned)
        from u2 in Gen.Elements(s_unsigned)
        from text in Gen.Elements(s_names)
        from flag in Gen.Elements(false, true)
        from optional in Gen.Elements(false, true)
        select kind switch
        {
            0 => (Reading)new WeightReading
            {
                Seq = seq, Device = device, Channel = channel, Ts = ts, ValueKg = optional ? f1 : null, TareKg = flag ? f2 : null,
                Stable = flag, Motion = !optional, Mode = flag ? WeightMode.Gross : (WeightMode)7, Status = optional ? IndicatorStatus.ZeroError : IndicatorStatus.Ok,
            },
            1 => new CounterReading { Seq = seq, Device = device, Channel = channel, Ts = ts, Raw = u1, Delta = u2, Epoch = seq / 3, Width = 64 },
            2 => new AnalogReading { Seq = seq, Device = device, Channel = channel, Ts = ts, Value = f1, Unit = text },
            _ => new StateReading { Seq = seq, Device = device, Channel = channel, Ts = ts, Value = flag ? -seq : seq, Label = optional ? text : null },
        };

    private static (string Line, string? Rejection) ThroughPoint(Reading reading, PointSource source)
    {
        var point = InfluxSchema.ToPoint(reading, source);
        try
        {
            return (LineProtocol.Format(point), null);
        }
        catch (LineProtocolException ex)
        {
            return (LineProtocol.Describe(point), $"not writable as line protocol: {ex.Message}");
        }
    }

    [Fact]
    public void Direct_lines_of_readings_are_the_bytes_the_point_path_makes_or_the_same_refusal()
    {
        var arb = (from reading in Readings()
                   from site in Gen.Elements(s_names)
                   from gateway in Gen.Elements(s_names)
                   select (reading, site, gateway)).ToArbitrary();
        var builder = new InfluxLinesBuilder(16);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), Prop.ForAll(arb, t =>
        {
            var (reading, site, gateway) = t;
            var source = new PointSource(site, "hall", gateway);
            builder.Clear();
            InfluxSchema.AppendLine(builder, reading, source);
            InfluxSchema.AppendLine(builder, reading with { Seq = reading.Seq + 1 }, source);
            var lines = builder.ToLines();
            var expected = ThroughPoint(reading, source);
            Assert.Equal(2, lines.Count);
            Assert.Equal(expected.Line, Encoding.UTF8.GetString(lines[0]));
            Assert.Equal(expected.Rejection, lines.Rejection(0));
            Assert.Equal(ThroughPoint(reading with { Seq = reading.Seq + 1 }, source).Line, Encoding.UTF8.GetString(lines[1]));
        }));
    }

    [Fact]
    public void A_group_keeps_each_line_apart_with_its_own_rejection()
    {
        var builder = new InfluxLinesBuilder(8);
        var source = new PointSource("plant1", "hall", "gw-01");
        InfluxSchema.AppendLine(builder, new CounterReading { Seq = 1, Device = "c", Ts = s_ts, Raw = 5, Delta = 1, Epoch = 0, Width = 16 }, source);
        InfluxSchema.AppendLine(builder, new CounterReading { Seq = 2, Device = "c", Ts = s_ts.AddTicks(1), Raw = ulong.MaxValue, Delta = 1, Epoch = 0, Width = 64 }, source);
        builder.Write("half a line"u8);
        var lines = builder.ToLines();

        Assert.Equal(2, lines.Count);
        Assert.StartsWith("counter,area=hall,device=c,gateway=gw-01,site=plant1 delta=1i", Encoding.UTF8.GetString(lines[0]), StringComparison.Ordinal);
        Assert.Null(lines.Rejection(0));
        Assert.Contains("above the largest integer", lines.Rejection(1), StringComparison.Ordinal);
        Assert.Equal(lines[0].Length + lines[1].Length, lines.ByteCount);
        Assert.Equal(0, builder.Count);
    }
}
