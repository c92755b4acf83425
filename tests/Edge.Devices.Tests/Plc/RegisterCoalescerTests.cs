using Edge.Contracts.RegisterMaps;
using Edge.Devices.Plc;
using FsCheck;
using FsCheck.Fluent;

namespace Edge.Devices.Tests.Plc;

public class RegisterCoalescerTests
{
    private static readonly RegisterTable[] s_tables = [RegisterTable.Holding, RegisterTable.Input, RegisterTable.Coil, RegisterTable.Discrete];

    private static bool IsBits(RegisterTable t) => t is RegisterTable.Coil or RegisterTable.Discrete;

    /// <summary>Spans as a register map has them: no two overlap (the map forbids it), 1–2 registers or 1 bit each, some duplicated.</summary>
    private static Gen<RegisterSpan[]> Spans(int maxAddress) =>
        from raw in Gen.ListOf(
            from slave in Gen.Elements<byte>(1, 2)
            from table in Gen.Elements(s_tables)
            from address in Gen.Frequency((8, Gen.Choose(0, maxAddress)), (1, Gen.Choose(65530, 65535)))
            from two in Gen.Elements(false, true)
            select new RegisterSpan(slave, table, address, IsBits(table) || !two || address == 65535 ? 1 : 2))
        from duplicates in Gen.Choose(0, 3)
        select NonOverlapping(raw, duplicates);

    private static RegisterSpan[] NonOverlapping(IEnumerable<RegisterSpan> raw, int duplicates)
    {
        var kept = new List<RegisterSpan>();
        foreach (var s in raw)
        {
            if (!kept.Any(k => k.SlaveId == s.SlaveId && k.Table == s.Table && s.Address < k.End && k.Address < s.End))
            {
                kept.Add(s);
            }
        }

        kept.AddRange(kept.Take(duplicates).ToList());
        return [.. kept];
    }

    private static Gen<CoalescingOptions> Options() =>
        from maxRegisters in Gen.Choose(2, 125)
        from maxBits in Gen.Choose(1, 2000)
        from registerGap in Gen.Choose(0, 30)
        from bitGap in Gen.Choose(0, 200)
        select new CoalescingOptions { MaxRegistersPerRequest = maxRegisters, MaxBitsPerRequest = maxBits, MaxRegisterGap = registerGap, MaxBitGap = bitGap };

    private static void CheckPlan(RegisterSpan[] spans, CoalescingOptions options)
    {
        var plan = RegisterCoalescer.Plan(spans, options);

        // Every wanted span lies inside exactly one request.
        foreach (var s in spans)
        {
            Assert.Equal(1, plan.Count(r => r.Covers(s)));
        }

        foreach (var group in plan.GroupBy(r => (r.SlaveId, r.Table)))
        {
            var requests = group.OrderBy(r => r.Address).ToList();
            var limit = IsBits(group.Key.Table) ? options.MaxBitsPerRequest : options.MaxRegistersPerRequest;
            var maxGap = IsBits(group.Key.Table) ? options.MaxBitGap : options.MaxRegisterGap;
            var wanted = new HashSet<int>(spans.Where(s => (s.SlaveId, s.Table) == group.Key).SelectMany(s => Enumerable.Range(s.Address, s.Count)));

            for (var i = 0; i < requests.Count; i++)
            {
                var r = requests[i];
                Assert.InRange(r.Count, 1, limit);
                Assert.InRange(r.End, 1, 65536);

                // No register is read twice: requests of one unit and table do not overlap.
                if (i > 0)
                {
                    Assert.True(requests[i - 1].End <= r.Address, $"{requests[i - 1]} overlaps {r}");

                    // And no two neighbours could have been one request: the plan is as short as the limits allow.
                    Assert.True(r.Address - requests[i - 1].End > maxGap || r.End - requests[i - 1].Address > limit, $"{requests[i - 1]} and {r} could merge");
                }

                // A request starts and ends on wanted registers, and no unwanted run inside it exceeds the gap.
                Assert.Contains(r.Address, wanted);
                Assert.Contains(r.End - 1, wanted);
                var run = 0;
                for (var a = r.Address; a < r.End; a++)
                {
                    run = wanted.Contains(a) ? 0 : run + 1;
                    Assert.True(run <= maxGap, $"gap of {run} in {r} exceeds {maxGap}");
                }
            }

            // Nothing read that no span wants beyond the allowed gaps: every wanted register is read.
            Assert.All(wanted, a => Assert.Contains(requests, r => a >= r.Address && a < r.End));
        }
    }

    [Fact]
    public void Every_wanted_register_is_in_exactly_one_request_within_limits_and_gaps()
    {
        var arb = Gen.Zip(Spans(400), Options()).ToArbitrary();
        Check.QuickThrowOnFailure(Prop.ForAll(arb, t => CheckPlan(t.Item1, t.Item2)));
    }

    [Fact]
    public void Dense_maps_are_split_at_the_protocol_limits()
    {
        var arb = Gen.Zip(Spans(5000), Gen.Constant(new CoalescingOptions())).ToArbitrary();
        Check.QuickThrowOnFailure(Prop.ForAll(arb, t => CheckPlan(t.Item1, t.Item2)));
    }

    [Fact]
    public void Adjacent_registers_are_merged_into_one_request()
    {
        var plan = RegisterCoalescer.Plan(
            [new(1, RegisterTable.Holding, 0, 2), new(1, RegisterTable.Holding, 2, 1), new(1, RegisterTable.Holding, 3, 2)],
            new CoalescingOptions { MaxRegisterGap = 0 });

        Assert.Equal([new ReadRequest(1, RegisterTable.Holding, 0, 5)], plan);
    }

    [Fact]
    public void Gap_larger_than_allowed_splits_requests()
    {
        var spans = new RegisterSpan[] { new(1, RegisterTable.Holding, 0, 1), new(1, RegisterTable.Holding, 10, 1) };

        Assert.Single(RegisterCoalescer.Plan(spans, new CoalescingOptions { MaxRegisterGap = 9 }));
        Assert.Equal(2, RegisterCoalescer.Plan(spans, new CoalescingOptions { MaxRegisterGap = 8 }).Count);
    }

    [Fact]
    public void Thirty_two_bit_value_at_the_limit_is_never_torn()
    {
        var spans = Enumerable.Range(0, 63).Select(i => new RegisterSpan(1, RegisterTable.Holding, i * 2, 2)).ToArray();

        var plan = RegisterCoalescer.Plan(spans, new CoalescingOptions());

        // 126 registers: 124 fit the first request (62 values), the last value goes whole into the second.
        Assert.Equal([new ReadRequest(1, RegisterTable.Holding, 0, 124), new ReadRequest(1, RegisterTable.Holding, 124, 2)], plan);
    }

    [Fact]
    public void Tables_and_units_are_never_mixed()
    {
        var plan = RegisterCoalescer.Plan(
            [new(1, RegisterTable.Holding, 0, 1), new(1, RegisterTable.Input, 1, 1), new(2, RegisterTable.Holding, 1, 1), new(1, RegisterTable.Coil, 0, 1)],
            new CoalescingOptions());

        Assert.Equal(4, plan.Count);
    }

    [Fact]
    public void Coils_are_merged_up_to_two_thousand_bits()
    {
        var spans = Enumerable.Range(0, 2500).Select(i => new RegisterSpan(1, RegisterTable.Coil, i, 1));

        var plan = RegisterCoalescer.Plan(spans, new CoalescingOptions());

        Assert.Equal([new ReadRequest(1, RegisterTable.Coil, 0, 2000), new ReadRequest(1, RegisterTable.Coil, 2000, 500)], plan);
    }

    [Fact]
    public void Overlapping_spans_beyond_one_request_are_refused()
    {
        var spans = Enumerable.Range(0, 130).Select(i => new RegisterSpan(1, RegisterTable.Holding, i, 2));

        Assert.Throws<ArgumentException>(() => RegisterCoalescer.Plan(spans, new CoalescingOptions()));
    }

    [Fact]
    public void Limits_beyond_the_protocol_are_a_configuration_error()
    {
        var ex = Assert.Throws<DeviceConfigurationException>(() => RegisterCoalescer.Plan([], new CoalescingOptions { MaxRegistersPerRequest = 126 }));

        Assert.Contains("Coalescing:MaxRegistersPerRequest", ex.Message);
    }
}
