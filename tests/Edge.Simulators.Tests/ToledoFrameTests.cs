using Edge.Contracts;
using Edge.Devices.Scales;
using Edge.Simulators.Weighbridge;
using FsCheck;
using FsCheck.Fluent;

namespace Edge.Simulators.Tests;

public sealed class ToledoFrameTests
{
    private static readonly MettlerToledoContinuousParser s_parser = new(checksum: true);

    [Fact]
    public void Frame_has_stx_three_status_words_twelve_digits_cr_and_a_checksum_that_zeroes_the_sum()
    {
        var frame = ToledoFrame.Build(49_020, 0, motion: false);

        Assert.Equal(18, frame.Length);
        Assert.Equal(0x02, frame[0]);
        Assert.Equal(0x0D, frame[16]);
        Assert.Equal("004902000000", System.Text.Encoding.ASCII.GetString(frame, 4, 12));
        Assert.Equal(0, frame.Sum(b => b) & 0x7F);
    }

    [Fact]
    public void Motion_flag_is_bit_3_of_status_word_b()
    {
        Assert.Equal(0x08, ToledoFrame.Build(100, 0, motion: true)[2] & 0x08);
        Assert.Equal(0, ToledoFrame.Build(100, 0, motion: false)[2] & 0x08);
    }

    [Fact]
    public void Any_weight_in_divisions_parses_back_to_itself_with_its_motion_flag()
    {
        Prop.ForAll(Gen.Choose(0, 49_990).Select(w => w / 20 * 20).ToArbitrary(), ArbMap.Default.ArbFor<bool>(), (weight, motion) =>
        {
            var rejection = s_parser.TryParse(ToledoFrame.Build(weight, 0, motion), DateTimeOffset.UnixEpoch, out var sample);
            return rejection == FrameRejection.None && sample.WeightKg == weight && sample.Motion == motion && sample.Status == IndicatorStatus.Ok
                && sample.Mode == WeightMode.Gross && sample.IncrementKg == 20;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_frame_without_checksum_parses_with_a_parser_set_for_none()
    {
        var frame = ToledoFrame.Build(12_340, 0, motion: false, checksum: false);
        Assert.Equal(17, frame.Length);
        Assert.Equal(FrameRejection.None, new MettlerToledoContinuousParser(checksum: false).TryParse(frame, DateTimeOffset.UnixEpoch, out var s));
        Assert.Equal(12_340, s.WeightKg);
    }

    [Fact]
    public void Overload_sets_the_out_of_range_bit()
    {
        Assert.Equal(FrameRejection.None, s_parser.TryParse(ToledoFrame.Build(60_000, 0, motion: false, overload: true), DateTimeOffset.UnixEpoch, out var s));
        Assert.Equal(IndicatorStatus.Overload, s.Status);
    }
}

public sealed class WeighbridgeCycleTests
{
    [Fact]
    public void Every_truck_goes_through_arrive_settle_gross_unload_tare_leave_with_realistic_loads()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var cycle = new WeighbridgeCycle(seed, speed: 1);
            var phases = new List<TruckPhase>();
            var ok = true;
            for (var t = 0.0; t < 120; t += 0.1)
            {
                var s = cycle.At(t);
                if (phases.Count == 0 || phases[^1] != s.Phase)
                {
                    phases.Add(s.Phase);
                }

                ok &= s.WeightKg % ToledoFrame.DivisionKg == 0 && s.WeightKg >= 0;
                if (s.Phase == TruckPhase.GrossStable)
                {
                    ok &= !s.Motion && s.WeightKg == s.GrossKg && s.GrossKg is >= 15_000 and <= 49_000;
                }

                if (s.Phase == TruckPhase.TareStable)
                {
                    ok &= !s.Motion && s.WeightKg == s.TareKg && s.TareKg is >= 8_000 and <= 15_000 && s.TareKg < s.GrossKg;
                }

                if (s.Phase is TruckPhase.Arriving or TruckPhase.Settling or TruckPhase.Unloading)
                {
                    ok &= s.Motion;
                }

                if (s.Phase == TruckPhase.Empty)
                {
                    ok &= s.WeightKg == 0 && !s.Motion;
                }
            }

            TruckPhase[] order = [TruckPhase.Empty, TruckPhase.Arriving, TruckPhase.Settling, TruckPhase.GrossStable, TruckPhase.Unloading, TruckPhase.TareStable, TruckPhase.Leaving];
            for (var i = 1; i < phases.Count; i++)
            {
                ok &= Array.IndexOf(order, phases[i]) == (Array.IndexOf(order, phases[i - 1]) + 1) % order.Length;
            }

            return ok && phases.Count >= order.Length;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void The_same_seed_gives_the_same_trucks()
    {
        var a = new WeighbridgeCycle(42);
        var b = new WeighbridgeCycle(42);
        for (var t = 0.0; t < 60; t += 0.5)
        {
            Assert.Equal(a.At(t), b.At(t));
        }
    }
}
