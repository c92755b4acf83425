using System.Globalization;
using System.Text;

namespace Edge.Evdev;

/// <summary>
/// Turns the key events of a keyboard-wedge scanner into scanned strings. Pure: no device, no clock, no threads;
/// feed it events in order from one thread.
/// </summary>
/// <remarks>
/// Handles Shift (either side), Caps Lock (letters only), AltGr, Ctrl+key as ASCII control characters (Ctrl+] is GS,
/// the GS1 field separator many scanners send that way) and Alt+keypad decimal codes (the other common way to send
/// GS: Alt held, keypad 0 2 9, Alt released). Auto-repeat events are ignored: a scanner never holds a key, so a
/// repeat is an artefact of a slow USB poll, not a character.
/// </remarks>
public sealed class KeyboardWedgeDecoder
{
    private readonly KeyboardLayout _layout;
    private readonly KeyboardWedgeOptions _options;
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _altDigits = new();
    private bool _leftShift;
    private bool _rightShift;
    private bool _leftCtrl;
    private bool _rightCtrl;
    private bool _leftAlt;
    private bool _altGraph;
    private bool _capsLock;
    private bool _inScan;
    private bool _tooLong;
    private int _unmapped;
    private TimeSpan _startedAt;
    private TimeSpan _lastKeyAt;

    /// <summary>Creates a decoder for a scanner configured with <paramref name="layout"/>.</summary>
    public KeyboardWedgeDecoder(KeyboardLayout layout, KeyboardWedgeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        options ??= new KeyboardWedgeOptions();
        options.Validate();
        _layout = layout;
        _options = options;
    }

    /// <summary>True while characters have been typed but no terminator yet.</summary>
    public bool HasPartialScan => _inScan;

    /// <summary>Auto-repeat events seen (and ignored).</summary>
    public long RepeatsIgnored { get; private set; }

    /// <summary>Feeds one key event; returns a scan or a discarded partial scan when this event completes one.</summary>
    public ScanOutcome? Process(KeyEvent e)
    {
        if (e.Action == KeyAction.Repeat)
        {
            RepeatsIgnored++;
            return null;
        }

        var pressed = e.Action == KeyAction.Press;
        switch (e.Key)
        {
            case KeyCode.LeftShift:
                _leftShift = pressed;
                return null;
            case KeyCode.RightShift:
                _rightShift = pressed;
                return null;
            case KeyCode.LeftCtrl:
                _leftCtrl = pressed;
                return null;
            case KeyCode.RightCtrl:
                _rightCtrl = pressed;
                return null;
            case KeyCode.RightAlt:
                _altGraph = pressed;
                return null;
            case KeyCode.LeftAlt:
                _leftAlt = pressed;
                return pressed ? null : FinishAltCode(e.Timestamp);
            case KeyCode.CapsLock:
                _capsLock ^= pressed;
                return null;
            case KeyCode.NumLock:
                return null;
        }

        if (!pressed)
        {
            return null;
        }

        // A long pause inside a scan: the old part cannot belong to what follows.
        ScanOutcome? stale = null;
        if (HasPartialScan && e.Timestamp - _lastKeyAt > _options.StaleScanTimeout)
        {
            stale = Discard(ScanDiscardReason.Stale, e.Timestamp);
        }

        if (IsTerminator(e.Key))
        {
            return stale ?? Complete(e.Timestamp);
        }

        if (_leftAlt && AltCodeDigit(e.Key) is { } digit)
        {
            Begin(e.Timestamp);
            _altDigits.Append(digit);
            return stale;
        }

        Begin(e.Timestamp);
        if (TryCharacter(e.Key, out var c))
        {
            Append(c);
        }
        else
        {
            _unmapped++;
        }

        return stale;
    }

    /// <summary>
    /// The kernel dropped events (SYN_DROPPED): discards the partial scan and resets the modifiers, then takes the
    /// modifier state the device reports now (libevdev re-syncs it), if given.
    /// </summary>
    public ScanOutcome? EventsDropped(TimeSpan timestamp, Func<KeyCode, bool>? isKeyDown = null)
    {
        var outcome = HasPartialScan ? Discard(ScanDiscardReason.EventsDropped, timestamp) : null;
        _leftShift = isKeyDown?.Invoke(KeyCode.LeftShift) ?? false;
        _rightShift = isKeyDown?.Invoke(KeyCode.RightShift) ?? false;
        _leftCtrl = isKeyDown?.Invoke(KeyCode.LeftCtrl) ?? false;
        _rightCtrl = isKeyDown?.Invoke(KeyCode.RightCtrl) ?? false;
        _leftAlt = isKeyDown?.Invoke(KeyCode.LeftAlt) ?? false;
        _altGraph = isKeyDown?.Invoke(KeyCode.RightAlt) ?? false;
        return outcome;
    }

    /// <summary>Discards the partial scan, if any, for a reason found outside the event stream (idle time, device lost).</summary>
    public ScanOutcome? Abandon(ScanDiscardReason reason, TimeSpan timestamp) => HasPartialScan ? Discard(reason, timestamp) : null;

    private static char? AltCodeDigit(KeyCode key) => key switch
    {
        KeyCode.Kp0 => '0',
        KeyCode.Kp1 => '1',
        KeyCode.Kp2 => '2',
        KeyCode.Kp3 => '3',
        KeyCode.Kp4 => '4',
        KeyCode.Kp5 => '5',
        KeyCode.Kp6 => '6',
        KeyCode.Kp7 => '7',
        KeyCode.Kp8 => '8',
        KeyCode.Kp9 => '9',
        _ => null,
    };

    private bool IsTerminator(KeyCode key)
    {
        foreach (var t in _options.Terminators)
        {
            if (t == key)
            {
                return true;
            }
        }

        return false;
    }

    private bool TryCharacter(KeyCode key, out char c)
    {
        if ((_leftCtrl || _rightCtrl) && _layout.TryTranslate(key, shift: false, altGraph: false, out var plain))
        {
            // Terminal convention: Ctrl with @ A–Z [ \ ] ^ _ gives 0x00–0x1F.
            var upper = char.ToUpperInvariant(plain);
            if (upper is >= '@' and <= '_')
            {
                c = (char)(upper - '@');
                return true;
            }
        }

        var shift = _leftShift || _rightShift;
        if (_capsLock && _layout.TryGetMapping(key, out var mapping) && mapping!.CapsLockApplies)
        {
            shift = !shift;
        }

        return _layout.TryTranslate(key, shift, _altGraph, out c);
    }

    private ScanOutcome? FinishAltCode(TimeSpan timestamp)
    {
        if (_altDigits.Length == 0)
        {
            return null;
        }

        // Alt codes are decimal code points (Windows convention); values above 255 wrap, as they do there.
        var value = int.Parse(_altDigits.ToString(), NumberStyles.None, CultureInfo.InvariantCulture) % 256;
        _altDigits.Clear();
        _lastKeyAt = timestamp;
        Append((char)value);
        return null;
    }

    private void Begin(TimeSpan timestamp)
    {
        if (!_inScan)
        {
            _inScan = true;
            _startedAt = timestamp;
            _unmapped = 0;
        }

        _lastKeyAt = timestamp;
    }

    private void Append(char c)
    {
        if (_text.Length >= _options.MaxScanLength)
        {
            _tooLong = true;
            return;
        }

        _text.Append(c);
    }

    private ScanOutcome? Complete(TimeSpan timestamp)
    {
        if (_tooLong)
        {
            return Discard(ScanDiscardReason.TooLong, timestamp);
        }

        if (_text.Length == 0 && _unmapped == 0 && !_options.ReportEmptyScans)
        {
            Reset();
            return null;
        }

        var scan = new BarcodeScan(_text.ToString(), _inScan ? _startedAt : timestamp, timestamp, _unmapped);
        Reset();
        return scan;
    }

    private DiscardedScan Discard(ScanDiscardReason reason, TimeSpan timestamp)
    {
        var discarded = new DiscardedScan(_text.ToString(), reason, timestamp);
        Reset();
        return discarded;
    }

    private void Reset()
    {
        _inScan = false;
        _text.Clear();
        _altDigits.Clear();
        _tooLong = false;
        _unmapped = 0;
    }
}
