using Edge.Contracts;
using Edge.Devices.Scales;
using Edge.Gateway.Options;

namespace Edge.Gateway.Tests;

/// <summary>The scale keys whose frames do not carry them (polling, unit, gross/net) get from the config file to the driver.</summary>
public sealed class ScaleOptionsWiringTests
{
    [Fact]
    public void Poll_command_unit_and_reported_mode_reach_the_driver_options_and_a_misplaced_poll_command_is_refused_by_key()
    {
        var a9 = new DeviceOptions { Id = "a9", Type = "scale", Protocol = "xk3190-a9", Unit = WeightUnit.Tonne, ReportedMode = WeightMode.Net, Connection = new ConnectionOptions { Kind = "tcp", Host = "h", Port = 1 } };
        var sics = new DeviceOptions { Id = "sics", Type = "scale", Protocol = "mt-sics", PollCommand = "SI", Connection = new ConnectionOptions { Kind = "serial", Path = "/dev/ttyUSB0" } };
        var mapped = DeviceOptionMapping.Scale(a9);
        Assert.Equal((WeightUnit.Tonne, WeightMode.Net), (mapped.Unit, mapped.ReportedMode));
        Assert.Equal("SI", DeviceOptionMapping.Scale(sics).PollCommand);

        var o = new GatewayOptions { Id = "gw-1", Site = "hz", Area = "wb", StateDirectory = "/tmp/x" };
        o.Devices.Add(sics);
        o.Devices.Add(new DeviceOptions { Id = "a12", Type = "scale", Protocol = "xk3190-a12", PollCommand = "SI", Connection = new ConnectionOptions { Kind = "tcp", Host = "h", Port = 1 } });
        o.Devices.Add(new DeviceOptions { Id = "bad", Type = "scale", Protocol = "mt-sics", PollCommand = "S\r", Connection = new ConnectionOptions { Kind = "tcp", Host = "h", Port = 1 } });

        var errors = GatewayOptionsValidator.Collect(o);

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Gateway:Devices:1:PollCommand: applies to Protocol", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Gateway:Devices:2:PollCommand: must be 1-32 printable ASCII characters", StringComparison.Ordinal));
    }
}
