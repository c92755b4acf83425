using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Edge.Contracts.Tests;

public sealed class CodecPropertyTests
{
    private static readonly DateTimeOffset s_now = ContractFiles.Now;

    private static readonly string[] s_examples = ContractFiles.ExampleNames.ToArray();

    [Fact]
    public void Encoding_then_decoding_a_valid_batch_gives_the_same_batch()
    {
        var property = Prop.ForAll(Arb.From(BatchGen()), batch =>
        {
            var payload = ContractCodec.Encode(batch);
            var ok = ContractCodec.TryDecode<ReadingBatch>(payload, s_now, out var decoded, out var error);
            return (ok && payload.AsSpan().SequenceEqual(ContractCodec.Encode(decoded!))).Label(error?.ToString() ?? "re-encoding differs");
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Fact]
    public void Arbitrary_or_damaged_bytes_never_throw_and_fail_with_a_code()
    {
        // Random bytes mostly die in the preflight; damaged examples (a byte changed, cut, or doubled) go deeper.
        var damaged =
            from name in Gen.Elements(s_examples)
            from position in Gen.Choose(0, 10_000)
            from value in Gen.Choose(0, 255)
            from how in Gen.Choose(0, 2)
            select Damage(ContractFiles.Example(name), position, (byte)value, how);
        var random = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b));
        var kinds = Gen.Elements(Enum.GetValues<MessageKind>());

        var property = Prop.ForAll(Arb.From(Gen.OneOf(damaged, random).Zip(kinds)), input =>
        {
            var (payload, kind) = input;
            var ok = ContractCodec.TryDecode(kind, payload, s_now, out var message, out var error);
            return ok ? message is not null && error is null : message is null && error is not null && error.Reason.Length > 0;
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }

    private static byte[] Damage(byte[] original, int position, byte value, int how)
    {
        var at = position % original.Length;
        return how switch
        {
            0 => [.. original.AsSpan(0, at), value, .. original.AsSpan(at + 1)],
            1 => original[..at],
            _ => [.. original.AsSpan(0, at), .. original.AsSpan(at)],
        };
    }

    private static Gen<ReadingBatch> BatchGen()
    {
        var id = Gen.Elements("a", "gw-01", "truck-scale-1", "plc.line_2", new string('x', 64));
        var ts = Gen.Choose(0, 86_400 * 365).Select(s => s_now.AddSeconds(-s).AddTicks(s * 1234 % 10_000_000));
        var finite = Gen.Choose(-1_000_000, 1_000_000).Zip(Gen.Choose(0, 999)).Select(p => p.Item1 + (p.Item2 / 1000.0));

        var weight =
            from valueKg in finite
            from stable in Gen.Elements(true, false)
            from mode in Gen.Elements(Enum.GetValues<WeightMode>())
            from tare in Gen.Choose(-1, 50_000).Select(t => t < 0 ? (double?)null : t / 10.0)
            select (Func<long, string, DateTimeOffset, Reading>)((seq, device, t) => new WeightReading
            {
                Seq = seq, Device = device, Ts = t, ValueKg = Math.Clamp(valueKg, -1e6, 1e6), Stable = stable, Motion = !stable,
                Mode = mode, Status = IndicatorStatus.Ok, TareKg = mode == WeightMode.Net ? tare : null,
            });
        var counter =
            from width in Gen.Elements(16, 32, 64)
            from raw in Gen.Choose(0, int.MaxValue)
            from delta in Gen.Choose(0, 65_535)
            from epoch in Gen.Choose(0, 1000)
            select (Func<long, string, DateTimeOffset, Reading>)((seq, device, t) => new CounterReading
            {
                Seq = seq, Device = device, Ts = t, Raw = width == 16 ? (ulong)(raw % 65_536) : (ulong)raw,
                Delta = (ulong)delta, Epoch = epoch, Width = width,
            });
        var analog =
            from value in finite
            from unit in Gen.Elements("kPa", "A", "°C", "m3/h")
            select (Func<long, string, DateTimeOffset, Reading>)((seq, device, t) => new AnalogReading { Seq = seq, Device = device, Ts = t, Value = value, Unit = unit });
        var state =
            from value in Gen.Choose(-5, 5)
            from label in Gen.Elements("run", "stop", "故障").OrNull()
            select (Func<long, string, DateTimeOffset, Reading>)((seq, device, t) => new StateReading { Seq = seq, Device = device, Ts = t, Value = value, Label = label });

        var reading =
            from make in Gen.OneOf(weight, counter, analog, state)
            from device in id
            from channel in id.OrNull()
            from t in ts
            from gap in Gen.Choose(1, 5)
            select (make, device, channel, t, gap);

        return
            from gateway in id
            from first in Gen.Choose(1, int.MaxValue)
            from parts in Gen.NonEmptyListOf(reading)
            from synced in Gen.Elements(true, false)
            from replay in Gen.Elements(true, false)
            select MakeBatch(gateway, first, parts, synced, replay);

        static ReadingBatch MakeBatch(string gateway, long first, IEnumerable<(Func<long, string, DateTimeOffset, Reading> Make, string Device, string? Channel, DateTimeOffset Ts, int Gap)> parts, bool synced, bool replay)
        {
            var seq = first;
            var readings = new List<Reading>();
            foreach (var part in parts)
            {
                readings.Add(part.Make(seq, part.Device, part.Ts) with { Channel = part.Channel });
                seq += part.Gap;
            }

            return new ReadingBatch { GatewayId = gateway, Seq = readings[^1].Seq, Ts = s_now, ClockSynced = synced, Replay = replay, Readings = readings };
        }
    }
}
