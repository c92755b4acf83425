namespace Edge.Serial.Tests;

public class SerialPortSettingsTests
{
    [Fact]
    public void Defaults_are_9600_8N1_without_flow_control()
    {
        var settings = new SerialPortSettings();
        Assert.Empty(settings.Validate());
        Assert.Equal("9600 8N1 none", settings.ToString());
    }

    [Fact]
    public void Each_invalid_value_is_reported_with_its_key_and_the_allowed_values()
    {
        var settings = new SerialPortSettings { BaudRate = 12345, DataBits = 9, Parity = (SerialParity)7, StopBits = (SerialStopBits)3, FlowControl = (SerialFlowControl)9 };
        var errors = settings.Validate();
        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("BaudRate", StringComparison.Ordinal) && e.Contains("12345"));
        Assert.Contains(errors, e => e.StartsWith("DataBits must be 5, 6, 7 or 8", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Parity must be one of None, Odd, Even, Mark, Space", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("StopBits must be One or Two", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("FlowControl must be one of None, XonXoff, RtsCts", StringComparison.Ordinal));
    }

    [Fact]
    public void Short_form_names_parity_stop_bits_and_flow_control()
    {
        var settings = new SerialPortSettings { BaudRate = 2400, DataBits = 7, Parity = SerialParity.Even, StopBits = SerialStopBits.Two, FlowControl = SerialFlowControl.RtsCts };
        Assert.Equal("2400 7E2 rtscts", settings.ToString());
    }

    [Fact]
    public void Open_rejects_invalid_settings_before_touching_any_device()
    {
        var ex = Assert.Throws<ArgumentException>(() => SerialPort.Open("/dev/does-not-matter", new SerialPortSettings { DataBits = 4 }));
        Assert.Contains("DataBits", ex.Message);
    }
}
