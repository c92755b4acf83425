using System.Text.RegularExpressions;
using Edge.Evdev.Internal;
using Edge.TestSupport;

namespace Edge.Evdev.Tests;

public partial class KeyboardLayoutTests
{
    public KeyboardLayoutTests() => Components.RequireLibrary("libevdev.so.2", "libevdev2");

    [Fact]
    public void Every_KeyCode_has_the_value_the_kernel_gives_its_name()
    {
        // Checked against libevdev's tables (generated from linux/input-event-codes.h), not against our own copy.
        foreach (var key in Enum.GetValues<KeyCode>().Where(k => k != KeyCode.None))
        {
            var kernelName = "KEY_" + DigitName().Replace(key.ToString(), "$1").Replace("Key102nd", "102ND").ToUpperInvariant();
            Assert.True((int)key == EvdevNames.KeyCodeFromName(kernelName), $"{key} = {(int)key}, but libevdev says {kernelName} = {EvdevNames.KeyCodeFromName(kernelName)}");
        }
    }

    [Fact]
    public void The_US_layout_types_shifted_symbols_on_the_digit_row()
    {
        Assert.True(KeyboardLayout.UnitedStates.TryTranslate(KeyCode.D2, shift: true, altGraph: false, out var at));
        Assert.Equal('@', at);
        Assert.True(KeyboardLayout.UnitedStates.TryTranslate(KeyCode.Apostrophe, shift: true, altGraph: false, out var quote));
        Assert.Equal('"', quote);
    }

    [Fact]
    public void The_German_layout_swaps_Y_and_Z_and_has_AltGr_characters()
    {
        Assert.True(KeyboardLayout.German.TryTranslate(KeyCode.Y, shift: false, altGraph: false, out var z));
        Assert.Equal('z', z);
        Assert.True(KeyboardLayout.German.TryTranslate(KeyCode.Q, shift: false, altGraph: true, out var at));
        Assert.Equal('@', at);
        Assert.True(KeyboardLayout.German.TryGetKeystroke('@', out var stroke));
        Assert.Equal(new KeyStroke(KeyCode.Q, false, true), stroke);
    }

    [Fact]
    public void A_custom_layout_can_be_added_as_a_table()
    {
        // French AZERTY letters and the unshifted digit row (digits need Shift there).
        var azerty = KeyboardLayout.Create("fr-partial",
        [
            new(KeyCode.Q, 'a', 'A'), new(KeyCode.W, 'z', 'Z'), new(KeyCode.A, 'q', 'Q'), new(KeyCode.Semicolon, 'm', 'M'),
            new(KeyCode.D1, '&', '1'), new(KeyCode.D2, 'é', '2'), new(KeyCode.D3, '"', '3'),
        ]);
        var decoder = new KeyboardWedgeDecoder(azerty);
        var scan = RecordedSequences.Decode(decoder, RecordedSequences.Parse("KEY_Q+ KEY_Q- KEY_LEFTSHIFT+ KEY_D1+ KEY_D1- KEY_LEFTSHIFT- KEY_KP5+ KEY_KP5- KEY_ENTER+ KEY_ENTER-".Replace("KEY_D1", "KEY_1")));
        Assert.Equal("a15", Assert.IsType<BarcodeScan>(Assert.Single(scan)).Text);
    }

    [Fact]
    public void A_layout_that_maps_a_key_twice_is_refused_naming_the_key()
    {
        var ex = Assert.Throws<ArgumentException>(() => KeyboardLayout.Create("bad", [new(KeyCode.A, 'a'), new(KeyCode.A, 'b')]));
        Assert.Contains("A", ex.Message);
        Assert.Contains("twice", ex.Message);
    }

    [GeneratedRegex("^D([0-9])$")]
    private static partial Regex DigitName();
}
