using Edge.Contracts.RegisterMaps;

namespace Edge.Devices.Plc;

/// <summary>A wanted run of registers or bits: one value of a register map.</summary>
/// <param name="SlaveId">The unit id.</param>
/// <param name="Table">The table.</param>
/// <param name="Address">The first address.</param>
/// <param name="Count">How many registers or bits (≥ 1).</param>
public readonly record struct RegisterSpan(byte SlaveId, RegisterTable Table, int Address, int Count)
{
    /// <summary>One past the last address.</summary>
    public int End => Address + Count;
}

/// <summary>One Modbus read request that serves one or more wanted spans.</summary>
/// <param name="SlaveId">The unit id.</param>
/// <param name="Table">The table.</param>
/// <param name="Address">The first address read.</param>
/// <param name="Count">How many registers or bits are read.</param>
public readonly record struct ReadRequest(byte SlaveId, RegisterTable Table, int Address, int Count)
{
    /// <summary>One past the last address read.</summary>
    public int End => Address + Count;

    /// <summary>Whether the request reads all of <paramref name="span"/>.</summary>
    /// <param name="span">A wanted span.</param>
    /// <returns><see langword="true"/> when the span lies inside the request.</returns>
    public bool Covers(RegisterSpan span) =>
        span.SlaveId == SlaveId && span.Table == Table && span.Address >= Address && span.End <= End;
}

/// <summary>Limits for merging wanted registers into requests (configuration section <c>Coalescing</c>).</summary>
public sealed class CoalescingOptions
{
    /// <summary>The protocol's limit for function codes 3 and 4 (Modbus Application Protocol §6.3/6.4).</summary>
    public const int ProtocolMaxRegisters = 125;

    /// <summary>The protocol's limit for function codes 1 and 2 (§6.1/6.2).</summary>
    public const int ProtocolMaxBits = 2000;

    /// <summary>Most registers per request (1–125); some PLCs accept fewer. Default 125.</summary>
    public int MaxRegistersPerRequest { get; set; } = ProtocolMaxRegisters;

    /// <summary>Most coils or discrete inputs per request (1–2000). Default 2000.</summary>
    public int MaxBitsPerRequest { get; set; } = ProtocolMaxBits;

    /// <summary>
    /// Most unwanted registers read between two wanted ones to save a request (0–124). Reading a gap costs two bytes per
    /// register; a request costs a round trip. Some PLCs answer an exception for unmapped addresses: then use 0. Default 8.
    /// </summary>
    public int MaxRegisterGap { get; set; } = 8;

    /// <summary>Most unwanted bits read between two wanted ones (0–1999). Default 64.</summary>
    public int MaxBitGap { get; set; } = 64;

    /// <summary>Lists every problem, each naming its key under <paramref name="path"/>.</summary>
    /// <param name="path">The configuration path of this section.</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(string path)
    {
        var e = new OptionErrors();
        e.RequireRange(path, nameof(MaxRegistersPerRequest), MaxRegistersPerRequest, 1, ProtocolMaxRegisters);
        e.RequireRange(path, nameof(MaxBitsPerRequest), MaxBitsPerRequest, 1, ProtocolMaxBits);
        e.RequireRange(path, nameof(MaxRegisterGap), MaxRegisterGap, 0, ProtocolMaxRegisters - 1);
        e.RequireRange(path, nameof(MaxBitGap), MaxBitGap, 0, ProtocolMaxBits - 1);
        return e.Errors;
    }
}

/// <summary>
/// Plans the fewest read requests that cover a set of wanted spans: per unit and table, spans sorted by address are
/// packed greedily while the request stays within the size limit and each gap within the allowed gap.
/// </summary>
/// <remarks>
/// Guarantees (proved by property tests): every wanted span lies entirely inside exactly one request, so a 32-bit
/// value is never torn across two reads; requests do not overlap, so no register is read twice; no request exceeds
/// its table's limit; no unwanted run inside a request is longer than the allowed gap. Overlapping spans (two names for
/// the same register) are merged first and must fit one request together. Greedy packing of sorted intervals is
/// optimal here: extending the current request as far as allowed never forces an extra request later.
/// </remarks>
public static class RegisterCoalescer
{
    /// <summary>Plans requests.</summary>
    /// <param name="spans">The wanted spans, any order, duplicates allowed.</param>
    /// <param name="options">The limits; validated here.</param>
    /// <returns>The requests ordered by unit, table and address.</returns>
    /// <exception cref="ArgumentException">A span is outside 0–65535, or overlapping spans together exceed one request.</exception>
    /// <exception cref="DeviceConfigurationException">The options are not valid.</exception>
    public static IReadOnlyList<ReadRequest> Plan(IEnumerable<RegisterSpan> spans, CoalescingOptions options)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(options);
        DeviceConfigurationException.ThrowIfAny(options.Validate("Coalescing"));

        var sorted = spans.ToArray();
        foreach (var s in sorted)
        {
            if (s.Count < 1 || s.Address < 0 || s.End > 65536)
            {
                throw new ArgumentException($"Span at {s.Address} (+{s.Count}) of unit {s.SlaveId} {s.Table} lies outside addresses 0-65535.", nameof(spans));
            }
        }

        Array.Sort(sorted, static (a, b) =>
        {
            var c = a.SlaveId.CompareTo(b.SlaveId);
            if (c == 0)
            {
                c = a.Table.CompareTo(b.Table);
            }

            if (c == 0)
            {
                c = a.Address.CompareTo(b.Address);
            }

            return c;
        });

        var requests = new List<ReadRequest>();
        var i = 0;
        while (i < sorted.Length)
        {
            var slave = sorted[i].SlaveId;
            var table = sorted[i].Table;
            var isBits = table is RegisterTable.Coil or RegisterTable.Discrete;
            var limit = isBits ? options.MaxBitsPerRequest : options.MaxRegistersPerRequest;
            var maxGap = isBits ? options.MaxBitGap : options.MaxRegisterGap;

            var start = -1;
            var end = -1;
            while (i < sorted.Length && sorted[i].SlaveId == slave && sorted[i].Table == table)
            {
                // An atom: the span plus every later span that overlaps it, which must share one request.
                var atomStart = sorted[i].Address;
                var atomEnd = sorted[i].End;
                i++;
                while (i < sorted.Length && sorted[i].SlaveId == slave && sorted[i].Table == table && sorted[i].Address < atomEnd)
                {
                    atomEnd = Math.Max(atomEnd, sorted[i].End);
                    i++;
                }

                if (atomEnd - atomStart > limit)
                {
                    throw new ArgumentException($"Overlapping spans at {atomStart}-{atomEnd - 1} of unit {slave} {table} need {atomEnd - atomStart} in one request; the limit is {limit}.", nameof(spans));
                }

                if (start < 0)
                {
                    start = atomStart;
                    end = atomEnd;
                }
                else if (atomStart - end <= maxGap && atomEnd - start <= limit)
                {
                    end = atomEnd;
                }
                else
                {
                    requests.Add(new ReadRequest(slave, table, start, end - start));
                    start = atomStart;
                    end = atomEnd;
                }
            }

            requests.Add(new ReadRequest(slave, table, start, end - start));
        }

        return requests;
    }
}
