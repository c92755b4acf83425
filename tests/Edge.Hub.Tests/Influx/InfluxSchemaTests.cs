using Edge.Contracts;
using Edge.Hub.Influx;
using Edge.TestSupport;
using Xunit;

namespace Edge.Hub.Tests.Influx;

public class InfluxSchemaTests
{
    private static readonly DateTimeOffset s_ts = new(2026, 3, 1, 8, 0, 0, 123, TimeSpan.Zero);
    private static readonly PointSource s_source = new("plant1", "weighbridge", "gw-01");

    private static long Ns(DateTimeOffset ts) => (ts.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private static ReadingBatch Batch() => new()
    {
        GatewayId = "gw-01",
        Seq = 104,
        Ts = s_ts.AddSeconds(1),
        ClockSynced = true,
        Readings =
        [
            new WeightReading { Seq = 101, Device = "scale-1", Ts = s_ts, ValueKg = 24560.5, Stable = true, Motion = false, Mode = WeightMode.Gross, Status = IndicatorStatus.Ok },
            new CounterReading { Seq = 102, Device = "bales", Ts = s_ts.AddMilliseconds(1), Raw = 65530, Delta = 7, Epoch = 2, Width = 16 },
            new AnalogReading { Seq = 103, Device = "press", Ts = s_ts.AddMilliseconds(2), Value = 1532.25, Unit = "kPa" },
            new StateReading { Seq = 104, Device = "line-1", Ts = s_ts.AddMilliseconds(3), Value = 1, Label = "run" },
        ],
    };

    [Fact]
    public void Weight_reading_has_id_tags_and_seq_as_an_integer_field()
    {
        var line = LineProtocol.Format(InfluxSchema.ToPoint(Batch().Readings[0], s_source));
        Assert.Equal(
            $"weight,area=weighbridge,device=scale-1,gateway=gw-01,site=plant1 kg=24560.5,mode=\"gross\",motion=false,seq=101i,stable=true,state=\"ok\" {Ns(s_ts)}",
            line);
    }

    [Fact]
    public void Weight_without_a_number_has_no_kg_field_rather_than_zero()
    {
        var reading = new WeightReading { Seq = 5, Device = "scale-1", Ts = s_ts, Stable = false, Motion = true, Mode = WeightMode.Net, Status = IndicatorStatus.Overload, TareKg = 8000 };
        var point = InfluxSchema.ToPoint(reading, s_source);
        Assert.False(point.Fields.ContainsKey("kg"));
        Assert.Equal("overload", point.Fields["state"].StringValue);
        Assert.Equal(8000, point.Fields["tare_kg"].FloatValue);
    }

    [Fact]
    public void Counter_analog_and_state_readings_map_to_their_measurements()
    {
        var points = InfluxSchema.ToPoints(Batch(), "plant1", "weighbridge");
        Assert.Equal(
            $"counter,area=weighbridge,device=bales,gateway=gw-01,site=plant1 delta=7i,epoch=2i,seq=102i,value=65530i,width=16i {Ns(s_ts.AddMilliseconds(1))}",
            LineProtocol.Format(points[1]));
        Assert.Equal(
            $"analog,area=weighbridge,device=press,gateway=gw-01,site=plant1,unit=kPa seq=103i,value=1532.25 {Ns(s_ts.AddMilliseconds(2))}",
            LineProtocol.Format(points[2]));
        Assert.Equal(
            $"state,area=weighbridge,device=line-1,gateway=gw-01,site=plant1 label=\"run\",seq=104i,value=1i {Ns(s_ts.AddMilliseconds(3))}",
            LineProtocol.Format(points[3]));
    }

    [Fact]
    public void A_plc_channel_is_a_tag_so_two_channels_of_one_poll_are_separate_series()
    {
        var bales = new CounterReading { Seq = 1, Device = "bp1", Channel = "bale_count", Ts = s_ts, Raw = 40, Delta = 1, Epoch = 0, Width = 32 };
        var rejects = bales with { Seq = 2, Channel = "reject_count", Raw = 3 };
        Assert.Equal(
            $"counter,area=weighbridge,channel=bale_count,device=bp1,gateway=gw-01,site=plant1 delta=1i,epoch=0i,seq=1i,value=40i,width=32i {Ns(s_ts)}",
            LineProtocol.Format(InfluxSchema.ToPoint(bales, s_source)));
        Assert.Equal("reject_count", InfluxSchema.ToPoint(rejects, s_source).Tags[InfluxSchema.ChannelTag]);
    }

    [Fact]
    public void Scan_code_tech_and_station_are_fields_not_tags()
    {
        var scan = new ScanEvent { GatewayId = "gw-01", Seq = 77, Ts = s_ts, ClockSynced = true, Device = "rfid-1", Station = "lane-2", Code = "E200 3412,x=\"1\"", Tech = ScanTech.Rfid, Symbology = "epc-gen2" };
        var point = InfluxSchema.ToPoint(scan, "plant1", "weighbridge");
        Assert.Equal(["area", "device", "gateway", "site"], point.Tags.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            $"scan,area=weighbridge,device=rfid-1,gateway=gw-01,site=plant1 code=\"E200 3412,x=\\\"1\\\"\",seq=77i,station=\"lane-2\",symbology=\"epc-gen2\",tech=\"rfid\" {Ns(s_ts)}",
            LineProtocol.Format(point));
    }

    [Fact]
    public void A_replayed_message_maps_to_identical_lines()
    {
        var first = InfluxSchema.ToPoints(Batch(), "plant1", "weighbridge").Select(LineProtocol.Format);
        var replay = InfluxSchema.ToPoints(Batch() with { Replay = true, Ts = s_ts.AddHours(3), ClockSynced = false }, "plant1", "weighbridge").Select(LineProtocol.Format);
        Assert.Equal(first, replay);
    }

    [Fact]
    public void Counter_above_int64_becomes_a_dead_letter_not_a_crash()
    {
        var reading = new CounterReading { Seq = 1, Device = "c64", Ts = s_ts, Raw = ulong.MaxValue, Delta = 1, Epoch = 0, Width = 64 };
        var point = InfluxSchema.ToPoint(reading, s_source);
        Assert.Throws<LineProtocolException>(() => LineProtocol.Format(point));
    }

    [Fact]
    [Trait(Traits.Category, Traits.Integration)]
    public async Task Contract_messages_land_in_influxd_with_only_low_cardinality_tags()
    {
        var influx = await SharedInflux.GetAsync();
        var db = await influx.CreateDatabaseAsync("s");
        await using var h = await WriterHarness.StartAsync(influx.BaseUri, db);
        var points = InfluxSchema.ToPoints(Batch(), "plant1", "weighbridge").ToList();
        points.Add(InfluxSchema.ToPoint(new ScanEvent { GatewayId = "gw-01", Seq = 105, Ts = s_ts, ClockSynced = true, Device = "cam-1", Station = "lane-1", Code = "P-000123", Tech = ScanTech.Barcode }, "plant1", "weighbridge"));
        points.Add(InfluxSchema.ToPoint(new DeviceHealth { GatewayId = "gw-01", Seq = 105, Ts = s_ts, ClockSynced = true, Device = "scale-1", State = DeviceState.Degraded, ErrorCount = 3, Message = "timeout" }, "plant1", "weighbridge"));

        var result = await (await h.Writer.EnqueueAsync(points)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.AllWritten);
        foreach (var m in new[] { "weight", "counter", "state", "scan", "device_health" })
        {
            var keys = await influx.QueryRowsAsync(db, $"SHOW TAG KEYS FROM \"{m}\"");
            Assert.Equal(["area", "device", "gateway", "site"], keys.Select(k => k[0].GetString()));
        }

        var analogKeys = await influx.QueryRowsAsync(db, "SHOW TAG KEYS FROM analog");
        Assert.Equal(["area", "device", "gateway", "site", "unit"], analogKeys.Select(k => k[0].GetString()));
        var weightFields = await influx.QueryRowsAsync(db, "SHOW FIELD KEYS FROM weight");
        Assert.Contains(weightFields, f => f[0].GetString() == "seq" && f[1].GetString() == "integer");
        Assert.Contains(weightFields, f => f[0].GetString() == "kg" && f[1].GetString() == "float");
        var row = Assert.Single(await influx.QueryRowsAsync(db, "SELECT kg, seq FROM weight WHERE device = 'scale-1'"));
        Assert.Equal(Ns(s_ts), row[0].GetInt64());
        Assert.Equal(24560.5, row[1].GetDouble());
        Assert.Equal(101, row[2].GetInt64());
    }
}
