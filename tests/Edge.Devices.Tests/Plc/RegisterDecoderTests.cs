using Edge.Contracts.RegisterMaps;
using Edge.Devices.Plc;
using FsCheck;
using FsCheck.Fluent;

namespace Edge.Devices.Tests.Plc;

public class RegisterDecoderTests
{
    [Fact]
    public void I32_big_word_order_is_abcd()
    {
        // -123456 = 0xFFFE1DC0
        Assert.Equal(-123456, RegisterDecoder.Decode([0xFFFE, 0x1DC0], RegisterDataType.I32, ByteOrder.Big, WordOrder.Big));
    }

    [Fact]
    public void I32_little_word_order_is_cdab()
    {
        Assert.Equal(-123456, RegisterDecoder.Decode([0x1DC0, 0xFFFE], RegisterDataType.I32, ByteOrder.Big, WordOrder.Little));
    }

    [Fact]
    public void U32_byte_swapped_is_badc()
    {
        Assert.Equal((double)0x12345678u, RegisterDecoder.Decode([0x3412, 0x7856], RegisterDataType.U32, ByteOrder.Little, WordOrder.Big));
    }

    [Fact]
    public void F32_cdab_decodes_a_float()
    {
        // 123.456f = 0x42F6E979
        Assert.Equal(123.456f, (float)RegisterDecoder.Decode([0xE979, 0x42F6], RegisterDataType.F32, ByteOrder.Big, WordOrder.Little));
    }

    [Fact]
    public void I16_is_signed_and_u16_is_not()
    {
        Assert.Equal(-2, RegisterDecoder.Decode([0xFFFE], RegisterDataType.I16, ByteOrder.Big, WordOrder.Big));
        Assert.Equal(65534, RegisterDecoder.Decode([0xFFFE], RegisterDataType.U16, ByteOrder.Big, WordOrder.Big));
    }

    [Fact]
    public void Scaling_multiplies_then_adds_the_offset()
    {
        Assert.Equal(-40 + 25.3, RegisterDecoder.DecodeScaled([253], RegisterDataType.U16, ByteOrder.Big, WordOrder.Big, 0.1, -40), 9);
    }

    [Fact]
    public void Write_then_read_returns_the_same_bits_in_every_order()
    {
        var arb = Gen.Zip(
            Gen.Choose(int.MinValue, int.MaxValue).Select(i => unchecked((uint)i)),
            Gen.Elements(RegisterDataType.U16, RegisterDataType.I16, RegisterDataType.U32, RegisterDataType.I32, RegisterDataType.F32),
            (bits, type) => (bits, type))
            .SelectMany(_ => Gen.Elements(ByteOrder.Big, ByteOrder.Little), (t, b) => (t.bits, t.type, b))
            .SelectMany(_ => Gen.Elements(WordOrder.Big, WordOrder.Little), (t, w) => (t.bits, t.type, t.b, w))
            .ToArbitrary();

        Check.QuickThrowOnFailure(Prop.ForAll(arb, t =>
        {
            var bits = RegisterDecoder.RegisterCount(t.type) == 1 ? t.bits & 0xFFFF : t.bits;
            var registers = new ushort[2];
            RegisterDecoder.WriteBits(bits, t.type, t.b, t.w, registers);
            return RegisterDecoder.ReadBits(registers, t.type, t.b, t.w) == bits;
        }));
    }
}
