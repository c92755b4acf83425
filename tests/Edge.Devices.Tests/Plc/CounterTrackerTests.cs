using Edge.Devices.Plc;
using FsCheck;
using FsCheck.Fluent;

namespace Edge.Devices.Tests.Plc;

public class CounterTrackerTests
{
    [Fact]
    public void Counter_wrap_at_65535_yields_positive_delta()
    {
        var t = new CounterTracker(16, 1000);
        t.Update(65530);

        var u = t.Update(5);

        Assert.Equal(CounterStep.Wrap, u.Step);
        Assert.Equal(11UL, u.Delta);
        Assert.Equal(0, u.Epoch);
    }

    [Fact]
    public void Counter_wrap_at_32_bits_yields_positive_delta()
    {
        var t = new CounterTracker(32, 1000);
        t.Update(uint.MaxValue - 1);

        var u = t.Update(3);

        Assert.Equal(5UL, u.Delta);
        Assert.Equal(CounterStep.Wrap, u.Step);
    }

    [Fact]
    public void Plc_reset_starts_a_new_epoch_and_counts_from_zero()
    {
        var t = new CounterTracker(32, 1000);
        t.Update(50_000);

        var u = t.Update(7);

        Assert.Equal(CounterStep.Reset, u.Step);
        Assert.Equal(7UL, u.Delta);
        Assert.Equal(1, u.Epoch);
        Assert.Equal(new CounterState(7, 1), t.State);
    }

    [Fact]
    public void First_value_without_history_is_a_baseline_with_zero_delta()
    {
        var u = new CounterTracker(16, 100).Update(1234);

        Assert.Equal(CounterStep.Baseline, u.Step);
        Assert.Equal(0UL, u.Delta);
    }

    [Fact]
    public void Resumed_tracker_counts_from_the_stored_value()
    {
        var t = new CounterTracker(16, 100, new CounterState(100, 2));

        Assert.Equal(new CounterUpdate(150, 50, 2, 16, CounterStep.Forward), t.Update(150));
    }

    [Fact]
    public void Reset_just_below_the_wrap_point_is_taken_for_a_wrap_as_documented()
    {
        // The documented risk: 65530 → reset → 3 looks exactly like a wrap of 9.
        var t = new CounterTracker(16, 1000);
        t.Update(65530);

        Assert.Equal(CounterStep.Wrap, t.Update(3).Step);
    }

    [Fact]
    public void Value_wider_than_the_counter_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CounterTracker(16, 100).Update(65536));
    }

    private static Gen<(int Width, ulong Max, ulong Start, ulong[] Increments)> Counting() =>
        from width in Gen.Elements(16, 32)
        from max in Gen.Choose(1, 20_000).Select(m => (ulong)m)
        from start in Gen.Choose(0, int.MaxValue).Select(s => (ulong)s % (1UL << width))
        from nearWrap in Gen.Elements(false, true)
        from increments in Gen.ArrayOf(Gen.Choose(0, (int)max).Select(i => (ulong)i))
        select (width, max, nearWrap ? (1UL << width) - 1 - (start % (max + 1)) : start, increments);

    [Fact]
    public void Deltas_add_up_to_the_real_increments_across_any_number_of_wraps()
    {
        Check.QuickThrowOnFailure(Prop.ForAll(Counting().ToArbitrary(), c =>
        {
            var mask = (1UL << c.Width) - 1;
            var tracker = new CounterTracker(c.Width, c.Max);
            var raw = c.Start;
            tracker.Update(raw);
            foreach (var inc in c.Increments)
            {
                raw = (raw + inc) & mask;
                var u = tracker.Update(raw);

                // Each delta is exactly what was added: never negative, never counted twice, epoch unchanged.
                Assert.Equal(inc, u.Delta);
                Assert.Equal(0, u.Epoch);
            }
        }));
    }

    [Fact]
    public void Reset_beyond_the_plausible_wrap_opens_a_new_epoch_and_loses_nothing_after_it()
    {
        var gen =
            from c in Counting()
            from counted in Gen.Choose(0, (int)c.Max).Select(v => (ulong)v)
            from r in Gen.Choose(0, int.MaxValue).Select(v => (ulong)v)

            // Only resets that cannot pass for a wrap: before lies above counted by more than the plausible wrap allows.
            let before = counted + 1 + (r % ((1UL << c.Width) - c.Max - 1))
            select (c.Width, c.Max, before, counted, c.Increments);

        Check.QuickThrowOnFailure(Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var mask = (1UL << c.Width) - 1;
            Assert.True(c.before > c.counted && c.before <= mask && ((c.counted - c.before) & mask) > c.Max);

            var tracker = new CounterTracker(c.Width, c.Max, new CounterState(c.before, 4));
            var reset = tracker.Update(c.counted);
            Assert.Equal(CounterStep.Reset, reset.Step);
            Assert.Equal(5, reset.Epoch);
            Assert.Equal(c.counted, reset.Delta);

            ulong total = reset.Delta;
            var raw = c.counted;
            ulong real = c.counted;
            foreach (var inc in c.Increments)
            {
                raw = (raw + inc) & mask;
                real += inc;
                var u = tracker.Update(raw);
                Assert.Equal(5, u.Epoch);
                total += u.Delta;
            }

            Assert.Equal(real, total);
        }));
    }
}
