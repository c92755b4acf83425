using Edge.Contracts;
using Edge.Devices.Scales;
using Edge.Devices.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Devices.Tests.Scales;

public class StreamScaleTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly List<FakeByteSource> _sources = [];

    private StreamScale Scale(Action<ScaleOptions>? configure = null)
    {
        var options = new ScaleOptions
        {
            DeviceId = "wb1",
            Protocol = ScaleProtocol.MettlerToledoContinuous,
            Stability = new StabilityOptions { MinSamples = 3, ToleranceKg = 10, MinDuration = TimeSpan.FromSeconds(1) },
            Backoff = new BackoffOptions { Initial = TimeSpan.FromSeconds(1), Jitter = 0 },
        };
        configure?.Invoke(options);
        return ScaleFactory.CreateStreamScale(options, Open, _time, NullLogger.Instance);
    }

    private ValueTask<IByteSource> Open(CancellationToken cancellationToken)
    {
        var source = new FakeByteSource();
        lock (_sources)
        {
            _sources.Add(source);
        }

        return ValueTask.FromResult<IByteSource>(source);
    }

    private FakeByteSource Current
    {
        get
        {
            lock (_sources)
            {
                return _sources[^1];
            }
        }
    }

    private static byte[] Weight(string digits6, bool motion = false) =>
        MettlerToledoContinuousParserTests.Frame(
            MettlerToledoContinuousParserTests.StatusA(2),
            MettlerToledoContinuousParserTests.StatusB(motion: motion),
            0x20,
            digits6,
            "000000");

    [Fact]
    public async Task Stable_weight_is_captured_after_the_indicator_settles()
    {
        var scale = Scale();
        using var cts = new CancellationTokenSource();
        var run = scale.RunAsync(cts.Token);
        await Wait.UntilAsync(() => _sources.Count == 1, "open");

        var wait = scale.WaitForStableAsync(TimeSpan.FromSeconds(30));
        Current.Send([.. Weight("024000", motion: true), .. Weight("024500", motion: true)]);
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(500));
            Current.Send(Weight(i % 2 == 0 ? "024520" : "024515"));
            await Wait.UntilAsync(() => scale.Counters.Accepted == 3 + i, "frame " + i);
        }

        var stable = await wait;
        Assert.NotNull(stable);
        Assert.True(stable.Value.Stable);
        Assert.False(stable.Value.Motion);
        Assert.Equal(24520, stable.Value.WeightKg);
        Assert.Equal(WeightMode.Gross, stable.Value.Mode);

        var reading = stable.Value.ToReading(5, scale.DeviceId);
        Assert.True(reading.Stable);
        Assert.Equal(24520, reading.ValueKg);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Garbled_and_bad_checksum_frames_are_counted_and_never_become_weights()
    {
        var scale = Scale();
        using var cts = new CancellationTokenSource();
        var run = scale.RunAsync(cts.Token);
        await Wait.UntilAsync(() => _sources.Count == 1, "open");

        var bad = Weight("099999");
        bad[^1] ^= 0x01;
        Current.Send([.. "noise"u8, .. bad, .. Weight("001000")[..10], .. Weight("001234")]);
        await Wait.UntilAsync(() => scale.Counters.Accepted == 1, "good frame");

        Assert.Equal(1, scale.Counters[FrameRejection.ChecksumMismatch]);
        Assert.Equal(1, scale.Counters[FrameRejection.Truncated]);
        Assert.Equal(5, scale.Counters.DiscardedBytes);
        Assert.Equal(1234, scale.CurrentSample!.Value.WeightKg);
        Assert.Equal(DeviceState.Degraded, scale.Health.GetSnapshot().State);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Wait_for_stable_times_out_with_null_while_the_load_moves()
    {
        var scale = Scale();
        using var cts = new CancellationTokenSource();
        var run = scale.RunAsync(cts.Token);
        await Wait.UntilAsync(() => _sources.Count == 1, "open");

        var wait = scale.WaitForStableAsync(TimeSpan.FromSeconds(3));
        for (var i = 0; i < 6; i++)
        {
            Current.Send(Weight((1000 + (i * 100)).ToString("000000")));
            await Wait.UntilAsync(() => scale.Counters.Accepted == i + 1, "frame");
            _time.Advance(TimeSpan.FromMilliseconds(600));
        }

        Assert.Null(await wait);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Silent_indicator_is_reopened_after_the_silence_timeout()
    {
        var scale = Scale(o => o.SilenceTimeout = TimeSpan.FromSeconds(5));
        using var cts = new CancellationTokenSource();
        var run = scale.RunAsync(cts.Token);
        await Wait.UntilAsync(() => _sources.Count == 1, "open");
        Current.Send(Weight("000100"));
        await Wait.UntilAsync(() => scale.Counters.Accepted == 1, "frame");

        _time.Advance(TimeSpan.FromSeconds(5));
        await Wait.UntilAsync(() => scale.Health.GetSnapshot().ErrorCount == 1, "silence noticed");
        Assert.True(_sources[0].Disposed);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => _sources.Count == 2, "reopen");
        Current.Send(Weight("000200"));
        await Wait.UntilAsync(() => scale.Counters.Accepted == 2, "frame after reopen");

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Mt_sics_poll_command_is_sent_every_interval()
    {
        var scale = Scale(o =>
        {
            o.Protocol = ScaleProtocol.MtSics;
            o.PollCommand = "SI";
            o.PollInterval = TimeSpan.FromMilliseconds(200);
        });
        using var cts = new CancellationTokenSource();
        var run = scale.RunAsync(cts.Token);
        await Wait.UntilAsync(() => _sources.Count == 1 && Current.Written.Count == 1, "first poll");

        _time.Advance(TimeSpan.FromMilliseconds(200));
        await Wait.UntilAsync(() => Current.Written.Count == 2, "second poll");
        Assert.All(Current.Written, w => Assert.Equal("SI\r\n", w));

        Current.Send("S D      12.50 kg\r\n");
        await Wait.UntilAsync(() => scale.Counters.Accepted == 1, "reply");
        Assert.True(scale.CurrentSample!.Value.Motion);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Samples_are_streamed_to_each_reader()
    {
        var scale = Scale();
        using var cts = new CancellationTokenSource();
        var run = scale.RunAsync(cts.Token);
        await Wait.UntilAsync(() => _sources.Count == 1, "open");

        using var readCts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = Task.Run(async () =>
        {
            var got = new List<double?>();
            await foreach (var s in scale.ReadSamplesAsync(readCts.Token))
            {
                got.Add(s.WeightKg);
                if (got.Count == 2)
                {
                    break;
                }
            }

            return got;
        });
        await Task.Delay(50);
        Current.Send([.. Weight("000010"), .. Weight("000020")]);

        Assert.Equal([10.0, 20.0], await read);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Capacity_flags_heavier_samples_as_overload()
    {
        var scale = Scale(o => o.CapacityKg = 60_000);
        using var cts = new CancellationTokenSource();
        var run = scale.RunAsync(cts.Token);
        await Wait.UntilAsync(() => _sources.Count == 1, "open");

        Current.Send(Weight("061000"));
        await Wait.UntilAsync(() => scale.Counters.Accepted == 1, "frame");

        Assert.Equal(IndicatorStatus.Overload, scale.CurrentSample!.Value.Status);
        Assert.False(scale.CurrentSample!.Value.HasWeight);

        await cts.CancelAsync();
        await run;
    }
}

public class ModbusScaleTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeRegisterReader _reader = new();

    private ModbusScale Scale() => ScaleFactory.CreateModbusScale(
        new ScaleOptions
        {
            DeviceId = "platform2",
            Protocol = ScaleProtocol.Modbus,
            Modbus = new ModbusScaleOptions
            {
                SlaveId = 5,
                Table = Edge.Contracts.RegisterMaps.RegisterTable.Input,
                Address = 10,
                DataType = Edge.Contracts.RegisterMaps.RegisterDataType.I32,
                WordOrder = Edge.Contracts.RegisterMaps.WordOrder.Little,
                Scale = 0.1,
                StatusAddress = 12,
                MotionBit = 0,
                OverloadBit = 1,
                NetBit = 3,
            },
            Stability = new StabilityOptions { MinSamples = 2, MinDuration = TimeSpan.Zero },
        },
        _reader,
        _time,
        NullLogger.Instance);

    private void Set(int weightTimesTen, ushort status)
    {
        var bits = (uint)weightTimesTen;
        _reader.Set(5, Edge.Contracts.RegisterMaps.RegisterTable.Input, 10, (ushort)bits, (ushort)(bits >> 16), status);
    }

    [Fact]
    public async Task Weight_and_status_are_read_in_one_request()
    {
        var scale = Scale();
        Set(-12345, 0b1000);

        var sample = await scale.PollOnceAsync(CancellationToken.None);

        Assert.Equal(-1234.5, sample!.Value.WeightKg!.Value, 9);
        Assert.Equal(WeightMode.Net, sample.Value.Mode);
        Assert.False(sample.Value.Motion);
        Assert.Single(_reader.Requests);
    }

    [Fact]
    public async Task Status_bits_give_motion_and_overload()
    {
        var scale = Scale();
        Set(5000, 0b01);
        Assert.True((await scale.PollOnceAsync(CancellationToken.None))!.Value.Motion);

        Set(5000, 0b10);
        var over = await scale.PollOnceAsync(CancellationToken.None);
        Assert.Equal(IndicatorStatus.Overload, over!.Value.Status);
        Assert.Null(over.Value.WeightKg);
    }

    [Fact]
    public async Task Two_equal_reads_are_stable()
    {
        var scale = Scale();
        Set(5000, 0);
        await scale.PollOnceAsync(CancellationToken.None);

        Assert.True((await scale.PollOnceAsync(CancellationToken.None))!.Value.Stable);
    }

    [Fact]
    public async Task Failed_reads_back_off_and_recover()
    {
        var scale = Scale();
        _reader.Fault = (_, _, _, _) => new IOException("timeout");
        using var cts = new CancellationTokenSource();
        var run = scale.RunAsync(cts.Token);
        await Wait.UntilAsync(() => scale.Health.GetSnapshot().ErrorCount == 1, "failure");

        _reader.Fault = null;
        Set(100, 0);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => scale.Counters.Accepted == 1, "recovered");
        Assert.Equal(10, scale.CurrentSample!.Value.WeightKg);

        await cts.CancelAsync();
        await run;
    }
}

public class ScaleFactoryTests
{
    [Theory]
    [InlineData(ScaleProtocol.MettlerToledoContinuous, typeof(MettlerToledoContinuousParser))]
    [InlineData(ScaleProtocol.MtSics, typeof(MtSicsParser))]
    [InlineData(ScaleProtocol.Xk3190A9, typeof(Xk3190A9Parser))]
    [InlineData(ScaleProtocol.Xk3190A12, typeof(Xk3190A12Parser))]
    public void Protocol_selects_its_parser(ScaleProtocol protocol, Type parser)
    {
        Assert.IsType(parser, ScaleFactory.CreateParser(new ScaleOptions { DeviceId = "s1", Protocol = protocol }));
    }

    [Fact]
    public void Modbus_protocol_builds_a_modbus_driver_and_needs_a_link()
    {
        var options = new ScaleOptions { DeviceId = "s1", Protocol = ScaleProtocol.Modbus };

        Assert.IsType<ModbusScale>(ScaleFactory.Create(options, null, new FakeRegisterReader(), TimeProvider.System, NullLogger.Instance));
        Assert.Throws<DeviceConfigurationException>(() => ScaleFactory.Create(options, null, null, TimeProvider.System, NullLogger.Instance));
    }

    [Fact]
    public void Invalid_scale_options_list_every_key()
    {
        var options = new ScaleOptions { DeviceId = "bad id", PollCommand = "SI", Stability = new StabilityOptions { MinSamples = 0 } };

        var errors = options.Validate("Devices:Scales:3");

        Assert.Contains(errors, e => e.StartsWith("Devices:Scales:3:DeviceId", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Devices:Scales:3:PollCommand", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Devices:Scales:3:Stability:MinSamples", StringComparison.Ordinal));
    }
}
