using Edge.Contracts.RegisterMaps;

namespace Edge.Devices.Plc;

/// <summary>
/// Decodes Modbus registers into numbers: 16- and 32-bit integers and IEEE f32, with the byte order inside a register
/// and the word order of 32-bit values configurable (ABCD = big/big, CDAB = big bytes, little words, BADC, DCBA).
/// </summary>
public static class RegisterDecoder
{
    /// <summary>How many registers a data type occupies: 2 for 32-bit types, else 1.</summary>
    /// <param name="type">The data type.</param>
    /// <returns>1 or 2.</returns>
    public static int RegisterCount(RegisterDataType type) =>
        type is RegisterDataType.U32 or RegisterDataType.I32 or RegisterDataType.F32 ? 2 : 1;

    /// <summary>The raw bit pattern of a value: one register zero-extended, or two registers combined.</summary>
    /// <param name="registers">The value's registers, at least <see cref="RegisterCount"/>.</param>
    /// <param name="type">The data type.</param>
    /// <param name="byteOrder">The byte order inside each register.</param>
    /// <param name="wordOrder">The word order of 32-bit values.</param>
    /// <returns>The bits, high word first.</returns>
    public static uint ReadBits(ReadOnlySpan<ushort> registers, RegisterDataType type, ByteOrder byteOrder, WordOrder wordOrder)
    {
        if (registers.Length < RegisterCount(type))
        {
            throw new ArgumentException($"A {type} needs {RegisterCount(type)} registers, got {registers.Length}.", nameof(registers));
        }

        if (type == RegisterDataType.Bool)
        {
            return registers[0] != 0 ? 1u : 0u;
        }

        var w0 = Order(registers[0], byteOrder);
        if (RegisterCount(type) == 1)
        {
            return w0;
        }

        var w1 = Order(registers[1], byteOrder);
        return wordOrder == WordOrder.Big ? ((uint)w0 << 16) | w1 : ((uint)w1 << 16) | w0;
    }

    /// <summary>Decodes a value as a double (every 16/32-bit integer and every f32 is exact in a double).</summary>
    /// <param name="registers">The value's registers.</param>
    /// <param name="type">The data type.</param>
    /// <param name="byteOrder">The byte order inside each register.</param>
    /// <param name="wordOrder">The word order of 32-bit values.</param>
    /// <returns>The raw value (before scale and offset); NaN or ±∞ when an f32 holds one.</returns>
    public static double Decode(ReadOnlySpan<ushort> registers, RegisterDataType type, ByteOrder byteOrder, WordOrder wordOrder)
    {
        var bits = ReadBits(registers, type, byteOrder, wordOrder);
        // Every arm cast to double: left to itself the switch would take float as the common type of short, int,
        // float and uint, and silently round 32-bit integers to 24 bits of mantissa.
        return type switch
        {
            RegisterDataType.I16 => (double)(short)(ushort)bits,
            RegisterDataType.I32 => (double)(int)bits,
            RegisterDataType.F32 => (double)BitConverter.UInt32BitsToSingle(bits),
            _ => (double)bits,
        };
    }

    /// <summary>Decodes and scales: raw × <paramref name="scale"/> + <paramref name="offset"/>.</summary>
    /// <param name="registers">The value's registers.</param>
    /// <param name="type">The data type.</param>
    /// <param name="byteOrder">The byte order inside each register.</param>
    /// <param name="wordOrder">The word order of 32-bit values.</param>
    /// <param name="scale">The multiplier.</param>
    /// <param name="offset">Added after scaling.</param>
    /// <returns>The engineering value.</returns>
    public static double DecodeScaled(ReadOnlySpan<ushort> registers, RegisterDataType type, ByteOrder byteOrder, WordOrder wordOrder, double scale, double offset) =>
        (Decode(registers, type, byteOrder, wordOrder) * scale) + offset;

    /// <summary>The inverse of <see cref="ReadBits"/> for simulators and tests: writes a bit pattern into registers.</summary>
    /// <param name="bits">The bits, high word first (a 16-bit value in the low half).</param>
    /// <param name="type">The data type.</param>
    /// <param name="byteOrder">The byte order inside each register.</param>
    /// <param name="wordOrder">The word order of 32-bit values.</param>
    /// <param name="registers">Where to write, at least <see cref="RegisterCount"/>.</param>
    public static void WriteBits(uint bits, RegisterDataType type, ByteOrder byteOrder, WordOrder wordOrder, Span<ushort> registers)
    {
        if (registers.Length < RegisterCount(type))
        {
            throw new ArgumentException($"A {type} needs {RegisterCount(type)} registers, got {registers.Length}.", nameof(registers));
        }

        if (type == RegisterDataType.Bool)
        {
            registers[0] = bits != 0 ? (ushort)1 : (ushort)0;
            return;
        }

        if (RegisterCount(type) == 1)
        {
            registers[0] = Order((ushort)bits, byteOrder);
            return;
        }

        var high = Order((ushort)(bits >> 16), byteOrder);
        var low = Order((ushort)bits, byteOrder);
        registers[0] = wordOrder == WordOrder.Big ? high : low;
        registers[1] = wordOrder == WordOrder.Big ? low : high;
    }

    private static ushort Order(ushort word, ByteOrder byteOrder) =>
        byteOrder == ByteOrder.Big ? word : (ushort)((word << 8) | (word >> 8));
}
