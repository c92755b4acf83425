using FsCheck;
using FsCheck.Fluent;

namespace Edge.Evdev.Tests;

public class KeyboardWedgeDecoderTests
{
    public static IEnumerable<object[]> Recorded() => RecordedSequences.Cases();

    [Theory]
    [MemberData(nameof(Recorded))]
    public void Recorded_event_sequences_decode_to_the_scanned_text(string source, string layout, string expected, string events)
    {
        var decoder = new KeyboardWedgeDecoder(RecordedSequences.Layout(layout));
        var outcomes = RecordedSequences.Decode(decoder, RecordedSequences.Parse(events));

        var scan = Assert.IsType<BarcodeScan>(Assert.Single(outcomes));
        Assert.True(expected == scan.Text, $"{source}: expected '{expected}', got '{scan.Text}'");
        Assert.Equal(0, scan.UnmappedKeys);
        Assert.False(decoder.HasPartialScan);
    }

    [Fact]
    public void A_scan_carries_the_time_of_its_first_key_and_of_its_terminator()
    {
        var decoder = new KeyboardWedgeDecoder(KeyboardLayout.UnitedStates);
        var events = RecordedSequences.Parse("KEY_LEFTSHIFT+ KEY_A+ KEY_A- KEY_LEFTSHIFT- KEY_1+ KEY_1- KEY_ENTER+ KEY_ENTER-", TimeSpan.FromSeconds(100));
        var scan = Assert.IsType<BarcodeScan>(Assert.Single(RecordedSequences.Decode(decoder, events)));
        Assert.Equal(events[1].Timestamp, scan.StartedAt);
        Assert.Equal(events[6].Timestamp, scan.CompletedAt);
    }

    [Fact]
    public void Consecutive_scans_are_separate()
    {
        var decoder = new KeyboardWedgeDecoder(KeyboardLayout.UnitedStates);
        var outcomes = RecordedSequences.Decode(decoder, RecordedSequences.Parse("KEY_1+ KEY_1- KEY_ENTER+ KEY_ENTER- KEY_2+ KEY_2- KEY_ENTER+ KEY_ENTER-"));
        Assert.Equal(["1", "2"], outcomes.Cast<BarcodeScan>().Select(s => s.Text));
    }

    [Fact]
    public void A_lone_Enter_is_ignored_unless_empty_scans_are_wanted()
    {
        var events = RecordedSequences.Parse("KEY_ENTER+ KEY_ENTER-");
        Assert.Empty(RecordedSequences.Decode(new KeyboardWedgeDecoder(KeyboardLayout.UnitedStates), events));
        var scan = Assert.IsType<BarcodeScan>(Assert.Single(RecordedSequences.Decode(new KeyboardWedgeDecoder(KeyboardLayout.UnitedStates, new KeyboardWedgeOptions { ReportEmptyScans = true }), events)));
        Assert.Equal(string.Empty, scan.Text);
    }

    [Fact]
    public void Keys_without_a_character_are_counted_not_typed()
    {
        var decoder = new KeyboardWedgeDecoder(KeyboardLayout.UnitedStates);
        var scan = Assert.IsType<BarcodeScan>(Assert.Single(RecordedSequences.Decode(decoder, RecordedSequences.Parse("KEY_F1+ KEY_F1- KEY_9+ KEY_9- KEY_ENTER+ KEY_ENTER-"))));
        Assert.Equal("9", scan.Text);
        Assert.Equal(1, scan.UnmappedKeys);
    }

    [Fact]
    public void A_scan_longer_than_the_limit_is_discarded_at_its_terminator_and_the_next_one_is_intact()
    {
        var decoder = new KeyboardWedgeDecoder(KeyboardLayout.UnitedStates, new KeyboardWedgeOptions { MaxScanLength = 3 });
        var outcomes = RecordedSequences.Decode(decoder, RecordedSequences.Parse("KEY_1+ KEY_1- KEY_2+ KEY_2- KEY_3+ KEY_3- KEY_4+ KEY_4- KEY_ENTER+ KEY_ENTER- KEY_5+ KEY_5- KEY_ENTER+ KEY_ENTER-"));
        var discarded = Assert.IsType<DiscardedScan>(outcomes[0]);
        Assert.Equal(ScanDiscardReason.TooLong, discarded.Reason);
        Assert.Equal("123", discarded.PartialText);
        Assert.Equal("5", Assert.IsType<BarcodeScan>(outcomes[1]).Text);
    }

    [Fact]
    public void A_partial_scan_followed_by_a_long_pause_is_discarded_and_the_keys_after_it_start_a_new_scan()
    {
        var decoder = new KeyboardWedgeDecoder(KeyboardLayout.UnitedStates, new KeyboardWedgeOptions { StaleScanTimeout = TimeSpan.FromSeconds(1) });
        var first = RecordedSequences.Parse("KEY_1+ KEY_1- KEY_2+ KEY_2-", TimeSpan.FromSeconds(10));
        var second = RecordedSequences.Parse("KEY_3+ KEY_3- KEY_ENTER+ KEY_ENTER-", TimeSpan.FromSeconds(15));
        var outcomes = RecordedSequences.Decode(decoder, first.Concat(second));

        Assert.Equal(ScanDiscardReason.Stale, Assert.IsType<DiscardedScan>(outcomes[0]).Reason);
        Assert.Equal("12", ((DiscardedScan)outcomes[0]).PartialText);
        Assert.Equal("3", Assert.IsType<BarcodeScan>(outcomes[1]).Text);
    }

    [Fact]
    public void Dropped_kernel_events_discard_the_scan_and_release_a_stuck_shift()
    {
        var decoder = new KeyboardWedgeDecoder(KeyboardLayout.UnitedStates);
        RecordedSequences.Decode(decoder, RecordedSequences.Parse("KEY_LEFTSHIFT+ KEY_A+ KEY_A-"));

        // The Shift release was among the dropped events; after the re-sync the device reports no key down.
        var dropped = Assert.IsType<DiscardedScan>(decoder.EventsDropped(TimeSpan.FromSeconds(1), _ => false));
        Assert.Equal(ScanDiscardReason.EventsDropped, dropped.Reason);
        Assert.Equal("A", dropped.PartialText);

        var scan = RecordedSequences.Decode(decoder, RecordedSequences.Parse("KEY_B+ KEY_B- KEY_ENTER+ KEY_ENTER-", TimeSpan.FromSeconds(2)));
        Assert.Equal("b", Assert.IsType<BarcodeScan>(Assert.Single(scan)).Text);
    }

    [Fact]
    public void Abandoning_without_a_partial_scan_reports_nothing()
    {
        var decoder = new KeyboardWedgeDecoder(KeyboardLayout.UnitedStates);
        Assert.Null(decoder.Abandon(ScanDiscardReason.DeviceLost, TimeSpan.Zero));
    }

    [Fact]
    public void A_configured_Tab_terminator_ends_a_scan()
    {
        var decoder = new KeyboardWedgeDecoder(KeyboardLayout.UnitedStates, new KeyboardWedgeOptions { Terminators = [KeyCode.Tab] });
        var scan = Assert.IsType<BarcodeScan>(Assert.Single(RecordedSequences.Decode(decoder, RecordedSequences.Parse("KEY_4+ KEY_4- KEY_2+ KEY_2- KEY_TAB+ KEY_TAB-"))));
        Assert.Equal("42", scan.Text);
    }

    [Fact]
    public void Any_printable_ASCII_text_typed_with_the_US_layout_decodes_to_itself()
    {
        var printable = Gen.Choose(0x20, 0x7E).Select(c => (char)c);
        var text = Gen.NonEmptyListOf(printable).Select(c => new string([.. c]));
        Prop.ForAll(text.ToArbitrary(), s => RoundTrip(KeyboardLayout.UnitedStates, s) == s).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Any_text_the_German_layout_can_type_decodes_to_itself()
    {
        var chars = KeyboardLayout.German.Mappings
            .SelectMany(m => new[] { m.Normal, m.Shifted, m.AltGraph })
            .OfType<char>()
            .Where(c => c != '\t')
            .Distinct()
            .ToArray();
        var text = Gen.NonEmptyListOf(Gen.Elements(chars)).Select(c => new string([.. c]));
        Prop.ForAll(text.ToArbitrary(), s => RoundTrip(KeyboardLayout.German, s) == s).QuickCheckThrowOnFailure();
    }

    private static string RoundTrip(KeyboardLayout layout, string text)
    {
        var events = new List<KeyEvent>();
        var t = TimeSpan.Zero;
        void Add(KeyCode key, KeyAction action)
        {
            t += TimeSpan.FromMilliseconds(1);
            events.Add(new KeyEvent(key, action, t));
        }

        foreach (var c in text)
        {
            Assert.True(layout.TryGetKeystroke(c, out var stroke), $"no key for '{c}'");
            if (stroke.Shift)
            {
                Add(KeyCode.LeftShift, KeyAction.Press);
            }

            if (stroke.AltGraph)
            {
                Add(KeyCode.RightAlt, KeyAction.Press);
            }

            Add(stroke.Key, KeyAction.Press);
            Add(stroke.Key, KeyAction.Release);
            if (stroke.AltGraph)
            {
                Add(KeyCode.RightAlt, KeyAction.Release);
            }

            if (stroke.Shift)
            {
                Add(KeyCode.LeftShift, KeyAction.Release);
            }
        }

        Add(KeyCode.Enter, KeyAction.Press);
        var decoder = new KeyboardWedgeDecoder(layout, new KeyboardWedgeOptions { MaxScanLength = 10_000 });
        return ((BarcodeScan)RecordedSequences.Decode(decoder, events).Single()).Text;
    }
}
