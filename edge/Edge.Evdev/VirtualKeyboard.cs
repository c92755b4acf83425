using System.Runtime.InteropServices;

namespace Edge.Evdev;

/// <summary>
/// A virtual keyboard created through /dev/uinput (libevdev_uinput_create_from_device): plant simulators and tests
/// type barcodes into it as a real scanner would. Needs the uinput module and write access to /dev/uinput.
/// </summary>
public sealed class VirtualKeyboard : IDisposable
{
    private readonly SafeLibevdevHandle _template;
    private readonly SafeUinputHandle _uinput;
    private readonly KeyboardLayout _layout;

    private VirtualKeyboard(SafeLibevdevHandle template, SafeUinputHandle uinput, KeyboardLayout layout, string devicePath)
    {
        _template = template;
        _uinput = uinput;
        _layout = layout;
        DevicePath = devicePath;
    }

    /// <summary>The event device node the kernel created, e.g. /dev/input/event7.</summary>
    public string DevicePath { get; }

    /// <summary>Creates a keyboard with every key of <paramref name="layout"/> plus modifiers and Enter.</summary>
    /// <exception cref="EvdevException">/dev/uinput is missing (ENOENT) or not writable (EACCES).</exception>
    public static unsafe VirtualKeyboard Create(string name, KeyboardLayout? layout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        layout ??= KeyboardLayout.UnitedStates;
        var template = NewTemplate(name, layout);
        try
        {
            var rc = Interop.Libevdev.UinputCreateFromDevice(template, Interop.Libevdev.UinputOpenManaged, out var raw);
            if (rc < 0)
            {
                throw new EvdevException("/dev/uinput", "libevdev_uinput_create_from_device", -rc,
                    -rc == 2 ? "The uinput kernel module is not loaded (modprobe uinput)." : null);
            }

            var uinput = new SafeUinputHandle(raw);
            var node = Marshal.PtrToStringUTF8((IntPtr)Interop.Libevdev.UinputGetDevnode(uinput)) ?? string.Empty;
            return new VirtualKeyboard(template, uinput, layout, node);
        }
        catch
        {
            template.Dispose();
            throw;
        }
    }

    /// <summary>Presses (and releases) the keys that type <paramref name="text"/>, then Enter if asked.</summary>
    /// <exception cref="ArgumentException">The layout cannot type a character of <paramref name="text"/>.</exception>
    public void Type(string text, bool pressEnter = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if (!_layout.TryGetKeystroke(c, out var stroke))
            {
                throw new ArgumentException($"Layout '{_layout.Name}' has no key for U+{(int)c:X4}.", nameof(text));
            }

            if (stroke.Shift)
            {
                Key(KeyCode.LeftShift, KeyAction.Press);
            }

            if (stroke.AltGraph)
            {
                Key(KeyCode.RightAlt, KeyAction.Press);
            }

            Key(stroke.Key, KeyAction.Press);
            Key(stroke.Key, KeyAction.Release);
            if (stroke.AltGraph)
            {
                Key(KeyCode.RightAlt, KeyAction.Release);
            }

            if (stroke.Shift)
            {
                Key(KeyCode.LeftShift, KeyAction.Release);
            }
        }

        if (pressEnter)
        {
            Key(KeyCode.Enter, KeyAction.Press);
            Key(KeyCode.Enter, KeyAction.Release);
        }
    }

    /// <summary>Sends one key event followed by SYN_REPORT.</summary>
    public void Key(KeyCode key, KeyAction action)
    {
        Write(Interop.Libevdev.EvKey, (uint)key, (int)action);
        Write(Interop.Libevdev.EvSyn, Interop.Libevdev.SynReport, 0);
    }

    /// <summary>Destroys the virtual device; a reader sees it disappear (ENODEV).</summary>
    public void Dispose()
    {
        _uinput.Dispose();
        _template.Dispose();
    }

    /// <summary>The libevdev description the uinput device is cloned from (usable without /dev/uinput).</summary>
    internal static unsafe SafeLibevdevHandle NewTemplate(string name, KeyboardLayout layout)
    {
        var raw = Interop.Libevdev.New();
        if (raw == IntPtr.Zero)
        {
            throw new EvdevException("(new device)", "libevdev_new", 12);
        }

        var template = new SafeLibevdevHandle(raw);
        try
        {
            Interop.Libevdev.SetName(template, name);
            Check(Interop.Libevdev.EnableEventType(template, Interop.Libevdev.EvKey), "libevdev_enable_event_type");
            KeyCode[] extra = [KeyCode.LeftShift, KeyCode.RightShift, KeyCode.LeftCtrl, KeyCode.RightCtrl, KeyCode.LeftAlt, KeyCode.RightAlt, KeyCode.CapsLock, KeyCode.Enter, KeyCode.KpEnter];
            foreach (var key in layout.Mappings.Select(m => m.Key).Concat(extra))
            {
                Check(Interop.Libevdev.EnableEventCode(template, Interop.Libevdev.EvKey, (uint)key, null), "libevdev_enable_event_code");
            }

            return template;
        }
        catch
        {
            template.Dispose();
            throw;
        }
    }

    private static void Check(int rc, string operation)
    {
        if (rc < 0)
        {
            throw new EvdevException("(new device)", operation, -rc == 0 ? 22 : -rc);
        }
    }

    private void Write(uint type, uint code, int value)
    {
        var rc = Interop.Libevdev.UinputWriteEvent(_uinput, type, code, value);
        if (rc < 0)
        {
            throw new EvdevException(DevicePath, "libevdev_uinput_write_event", -rc);
        }
    }
}
