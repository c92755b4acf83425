using System.Collections.Frozen;

namespace Edge.Evdev;

/// <summary>What one key types: unshifted, with Shift, and with AltGr (right Alt).</summary>
/// <param name="Key">The key.</param>
/// <param name="Normal">Character without modifiers.</param>
/// <param name="Shifted">Character with Shift; null when Shift changes nothing.</param>
/// <param name="AltGraph">Character with AltGr; null when the key has none.</param>
public sealed record KeyMapping(KeyCode Key, char Normal, char? Shifted = null, char? AltGraph = null)
{
    /// <summary>Caps Lock swaps Shift for letters only (as on a PC keyboard).</summary>
    public bool CapsLockApplies => char.IsLetter(Normal) && Shifted is { } s && char.ToUpperInvariant(Normal) == s;
}

/// <summary>The key presses that type one character.</summary>
/// <param name="Key">The key.</param>
/// <param name="Shift">Shift held.</param>
/// <param name="AltGraph">AltGr held.</param>
public readonly record struct KeyStroke(KeyCode Key, bool Shift, bool AltGraph);

/// <summary>
/// A keyboard layout as a table from key codes to characters. A keyboard-wedge scanner is configured with a
/// "keyboard country" and types by key position, so the host must decode with the same layout or "Z" and "Y" (German)
/// or "@" and '"' (UK) come out swapped. <see cref="UnitedStates"/> and <see cref="German"/> are built in; add others
/// with <see cref="Create"/>. Keypad keys always type digits and operators (scanners assume Num Lock on).
/// </summary>
public sealed class KeyboardLayout
{
    // Must precede the layouts below: static initializers run in textual order.
    // Identical on every layout the plant uses: keypad (Num Lock on) and the whitespace keys.
    private static readonly KeyMapping[] s_keypadAndWhitespace =
    [
        new(KeyCode.Space, ' ', ' '), new(KeyCode.Tab, '\t', '\t'),
        new(KeyCode.Kp0, '0'), new(KeyCode.Kp1, '1'), new(KeyCode.Kp2, '2'), new(KeyCode.Kp3, '3'), new(KeyCode.Kp4, '4'),
        new(KeyCode.Kp5, '5'), new(KeyCode.Kp6, '6'), new(KeyCode.Kp7, '7'), new(KeyCode.Kp8, '8'), new(KeyCode.Kp9, '9'),
        new(KeyCode.KpDot, '.'), new(KeyCode.KpPlus, '+'), new(KeyCode.KpMinus, '-'), new(KeyCode.KpAsterisk, '*'),
        new(KeyCode.KpSlash, '/'), new(KeyCode.KpEqual, '='),
    ];

    private readonly FrozenDictionary<KeyCode, KeyMapping> _byKey;
    private readonly FrozenDictionary<char, KeyStroke> _byChar;

    private KeyboardLayout(string name, IEnumerable<KeyMapping> mappings)
    {
        Name = name;
        var byKey = new Dictionary<KeyCode, KeyMapping>();
        foreach (var m in mappings.Concat(s_keypadAndWhitespace))
        {
            if (!byKey.TryAdd(m.Key, m))
            {
                throw new ArgumentException($"Layout '{name}' maps key {m.Key} twice.", nameof(mappings));
            }
        }

        var byChar = new Dictionary<char, KeyStroke>();
        foreach (var m in byKey.Values.OrderBy(m => IsKeypad(m.Key)))
        {
            byChar.TryAdd(m.Normal, new KeyStroke(m.Key, false, false));
            if (m.Shifted is { } s)
            {
                byChar.TryAdd(s, new KeyStroke(m.Key, true, false));
            }

            if (m.AltGraph is { } a)
            {
                byChar.TryAdd(a, new KeyStroke(m.Key, false, true));
            }
        }

        _byKey = byKey.ToFrozenDictionary();
        _byChar = byChar.ToFrozenDictionary();
    }

    /// <summary>Layout name, e.g. "us".</summary>
    public string Name { get; }

    /// <summary>Every mapping of the layout, keypad included.</summary>
    public IReadOnlyCollection<KeyMapping> Mappings => _byKey.Values;

    /// <summary>US English (the scanner factory default, also used by Chinese PC keyboards).</summary>
    public static KeyboardLayout UnitedStates { get; } = new("us",
    [
        new(KeyCode.Grave, '`', '~'),
        new(KeyCode.D1, '1', '!'), new(KeyCode.D2, '2', '@'), new(KeyCode.D3, '3', '#'), new(KeyCode.D4, '4', '$'),
        new(KeyCode.D5, '5', '%'), new(KeyCode.D6, '6', '^'), new(KeyCode.D7, '7', '&'), new(KeyCode.D8, '8', '*'),
        new(KeyCode.D9, '9', '('), new(KeyCode.D0, '0', ')'), new(KeyCode.Minus, '-', '_'), new(KeyCode.Equal, '=', '+'),
        .. Letters("qwertyuiop", KeyCode.Q), .. Letters("asdfghjkl", KeyCode.A), .. Letters("zxcvbnm", KeyCode.Z),
        new(KeyCode.LeftBrace, '[', '{'), new(KeyCode.RightBrace, ']', '}'), new(KeyCode.Backslash, '\\', '|'),
        new(KeyCode.Semicolon, ';', ':'), new(KeyCode.Apostrophe, '\'', '"'),
        new(KeyCode.Comma, ',', '<'), new(KeyCode.Dot, '.', '>'), new(KeyCode.Slash, '/', '?'),
    ]);

    /// <summary>German (QWERTZ), with the AltGr characters a scanner may send (@, €, braces, backslash, |, ~).</summary>
    public static KeyboardLayout German { get; } = new("de",
    [
        new(KeyCode.Grave, '^', '°'),
        new(KeyCode.D1, '1', '!'), new(KeyCode.D2, '2', '"', '²'), new(KeyCode.D3, '3', '§', '³'), new(KeyCode.D4, '4', '$'),
        new(KeyCode.D5, '5', '%'), new(KeyCode.D6, '6', '&'), new(KeyCode.D7, '7', '/', '{'), new(KeyCode.D8, '8', '(', '['),
        new(KeyCode.D9, '9', ')', ']'), new(KeyCode.D0, '0', '=', '}'), new(KeyCode.Minus, 'ß', '?', '\\'), new(KeyCode.Equal, '´', '`'),
        new(KeyCode.Q, 'q', 'Q', '@'), new(KeyCode.W, 'w', 'W'), new(KeyCode.E, 'e', 'E', '€'), .. Letters("rtzuiop", KeyCode.R),
        new(KeyCode.LeftBrace, 'ü', 'Ü'), new(KeyCode.RightBrace, '+', '*', '~'),
        .. Letters("asdfghjkl", KeyCode.A), new(KeyCode.Semicolon, 'ö', 'Ö'), new(KeyCode.Apostrophe, 'ä', 'Ä'), new(KeyCode.Backslash, '#', '\''),
        new(KeyCode.Key102nd, '<', '>', '|'), .. Letters("yxcvbnm", KeyCode.Z),
        new(KeyCode.Comma, ',', ';'), new(KeyCode.Dot, '.', ':'), new(KeyCode.Slash, '-', '_'),
    ]);

    /// <summary>
    /// Builds a layout from its main-block mappings (the keypad, Space and Tab are added). Give each key once.
    /// </summary>
    /// <exception cref="ArgumentException">A key is mapped twice.</exception>
    public static KeyboardLayout Create(string name, IEnumerable<KeyMapping> mappings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(mappings);
        return new KeyboardLayout(name, mappings);
    }

    /// <summary>The character a key types with the given modifiers, if any.</summary>
    public bool TryTranslate(KeyCode key, bool shift, bool altGraph, out char character)
    {
        character = '\0';
        if (!_byKey.TryGetValue(key, out var m))
        {
            return false;
        }

        char? c = altGraph ? m.AltGraph : shift ? m.Shifted ?? m.Normal : m.Normal;
        if (c is null)
        {
            return false;
        }

        character = c.Value;
        return true;
    }

    /// <summary>The mapping of a key, if the layout has one.</summary>
    public bool TryGetMapping(KeyCode key, out KeyMapping? mapping) => _byKey.TryGetValue(key, out mapping);

    /// <summary>The keystroke that types <paramref name="character"/> (main block preferred over keypad).</summary>
    public bool TryGetKeystroke(char character, out KeyStroke stroke) => _byChar.TryGetValue(character, out stroke);

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static bool IsKeypad(KeyCode key) =>
        key is KeyCode.KpAsterisk or (>= KeyCode.Kp7 and <= KeyCode.KpDot) or KeyCode.KpSlash or KeyCode.KpEqual;

    private static IEnumerable<KeyMapping> Letters(string letters, KeyCode first)
    {
        // The kernel numbers each letter row contiguously (KEY_Q..KEY_P, KEY_A..KEY_L, KEY_Z..KEY_M).
        for (var i = 0; i < letters.Length; i++)
        {
            yield return new KeyMapping((KeyCode)((ushort)first + i), letters[i], char.ToUpperInvariant(letters[i]));
        }
    }
}
