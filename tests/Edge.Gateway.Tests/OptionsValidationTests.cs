using System.Text.Json.Nodes;
using Edge.Gateway.Options;
using Edge.Gateway.Tests.Support;
using Edge.TestSupport;
using Microsoft.Extensions.Configuration;

namespace Edge.Gateway.Tests;

public sealed class OptionsValidationTests
{
    private static GatewayOptions Valid()
    {
        var o = new GatewayOptions { Id = "gw-1", Site = "hz", Area = "wb", StateDirectory = "/tmp/x" };
        o.Devices.Add(new DeviceOptions { Id = "syn", Type = "synthetic" });
        return o;
    }

    [Fact]
    public void A_valid_configuration_has_no_errors()
    {
        Assert.Empty(GatewayOptionsValidator.Collect(Valid()));
    }

    [Fact]
    public void Unknown_scale_protocol_names_the_key_and_every_allowed_value()
    {
        var o = Valid();
        o.Devices.Add(new DeviceOptions { Id = "a", Type = "synthetic" });
        o.Devices.Add(new DeviceOptions { Id = "b", Type = "synthetic" });
        o.Devices.Add(new DeviceOptions { Id = "wb1", Type = "scale", Protocol = "toledo2", Connection = new ConnectionOptions { Kind = "tcp", Host = "h", Port = 1 } });

        var errors = GatewayOptionsValidator.Collect(o);

        Assert.Contains("Gateway:Devices:3:Protocol: 'toledo2' is not one of toledo-continuous, mt-sics, xk3190-a9, xk3190-a12, regex, modbus.", errors);
    }

    [Fact]
    public void Unknown_device_type_names_the_key_and_the_types()
    {
        var o = Valid();
        o.Devices[0].Type = "weigher";
        var error = Assert.Single(GatewayOptionsValidator.Collect(o));
        Assert.Equal("Gateway:Devices:0:Type: 'weigher' is not one of scale, plc, scanner, rfid, pulse-counter, output, synthetic.", error);
    }

    [Fact]
    public void Every_wrong_key_is_reported_not_just_the_first()
    {
        var o = new GatewayOptions { Id = "gw 1", Site = "", Area = "alerts" };
        o.Mqtt.Port = 70000;
        o.Outbox.MaxBytes = 10;
        o.Publishing.MaxReadingsPerBatch = 0;
        o.Devices.Add(new DeviceOptions { Id = "plc1", Type = "plc", Connection = new ConnectionOptions { Kind = "serial", Path = "/dev/ttyS0" } });

        var errors = GatewayOptionsValidator.Collect(o);

        Assert.Contains(errors, e => e.StartsWith("Gateway:Id: 'gw 1' is not an id", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Gateway:Site:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Gateway:Area: 'alerts' is reserved", StringComparison.Ordinal));
        Assert.Contains("Gateway:Mqtt:Port: 70000 is not between 1 and 65535.", errors);
        Assert.Contains(errors, e => e.StartsWith("Gateway:Outbox:MaxBytes: 10 is below", StringComparison.Ordinal));
        Assert.Contains("Gateway:Publishing:MaxReadingsPerBatch: 0 is not between 1 and 5000.", errors);
        Assert.Contains("Gateway:Devices:0:Connection:Kind: 'serial' is not one of modbus-tcp, modbus-rtu for this device type.", errors);
        Assert.Contains(errors, e => e.StartsWith("Gateway:Devices:0:RegisterMapFile: is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Keyboard_wedge_scanner_needs_its_event_device_and_a_known_layout()
    {
        var o = Valid();
        o.Devices.Add(new DeviceOptions { Id = "kbd1", Type = "scanner", Station = "bay-1", Connection = new ConnectionOptions { Kind = "evdev", KeyboardLayout = "fr" } });

        var errors = GatewayOptionsValidator.Collect(o);

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Gateway:Devices:1:Connection:Path: is required for evdev", StringComparison.Ordinal));
        Assert.Contains("Gateway:Devices:1:Connection:KeyboardLayout: 'fr' is not one of us, de.", errors);
    }

    [Fact]
    public void Duplicate_device_ids_name_both_positions()
    {
        var o = Valid();
        o.Devices.Add(new DeviceOptions { Id = "syn", Type = "synthetic" });
        Assert.Contains("Gateway:Devices:1:Id: 'syn' is already the id of Gateway:Devices:0; ids must be unique.", GatewayOptionsValidator.Collect(o));
    }

    [Fact]
    public void Scale_stability_and_serial_line_errors_name_nested_keys()
    {
        var o = Valid();
        var d = new DeviceOptions
        {
            Id = "wb1",
            Type = "scale",
            Protocol = "toledo-continuous",
            Connection = new ConnectionOptions { Kind = "serial", Path = "/dev/ttyUSB0", Parity = "evn", BaudRate = 9601 },
        };
        d.Stability.MinSamples = 0;
        o.Devices.Add(d);

        var errors = GatewayOptionsValidator.Collect(o);

        Assert.Contains("Gateway:Devices:1:Connection:Parity: 'evn' is not one of none, odd, even, mark, space.", errors);
        Assert.Contains(errors, e => e.StartsWith("Gateway:Devices:1:Connection:BaudRate: 9601 is not one of 1200,", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Gateway:Devices:1:Stability:MinSamples:", StringComparison.Ordinal));
    }

    [Fact]
    public void Broken_register_map_is_reported_with_its_own_path()
    {
        var dir = TestDirectories.Create("regmap");
        var file = Path.Combine(dir, "bad.json");
        File.WriteAllText(file, """{"schema":"1.0","program":"p","version":"1","defaults":{"byteOrder":"big","wordOrder":"big"},"entries":[{"name":"x","table":"holding","address":0,"dataType":"u64","meaning":"analog","unit":"A"}]}""");
        var o = Valid();
        o.Devices.Add(new DeviceOptions { Id = "plc1", Type = "plc", RegisterMapFile = file, Connection = new ConnectionOptions { Kind = "modbus-tcp", Host = "h", Port = 502 } });

        var errors = GatewayOptionsValidator.Collect(o);

        Assert.Contains(errors, e => e.StartsWith("Gateway:Devices:1:RegisterMapFile: '" + file + "' entries[0].dataType", StringComparison.Ordinal));
    }

    [Fact]
    public void A_misspelt_key_is_refused_with_its_full_path_and_the_key_meant()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Id"] = "gw-1",
            ["Gateway:Mqtt:Hots"] = "broker",
            ["Gateway:Devices:0:Id"] = "wb1",
            ["Gateway:Devices:0:Protcol"] = "mt-sics",
            ["Gateway:Devices:0:Stability:ToleranceKg"] = "20",
            ["Gateway:Devices:0:Stability:Tolerance"] = "20",
            ["Gateway:Devices:0:Deadbands:anything_goes"] = "1",
            ["Gateway:Devices:0:Connection:Kind"] = "tcp",
            ["Gateway:Devices:0:Connection:Xyzzy"] = "1",
        }).Build();

        var result = new UnknownKeyValidator(configuration).Validate(null, new GatewayOptions());

        var failures = result.Failures!.ToList();
        Assert.Equal(4, failures.Count);
        Assert.Contains("Gateway:Mqtt:Hots: is not a known key; did you mean Host?", failures);
        Assert.Contains("Gateway:Devices:0:Protcol: is not a known key; did you mean Protocol?", failures);
        Assert.Contains("Gateway:Devices:0:Connection:Xyzzy: is not a known key.", failures);
        Assert.Contains("Gateway:Devices:0:Stability:Tolerance: is not a known key; did you mean ToleranceKg?", failures);
    }

    [Fact]
    [Trait(Traits.Category, Traits.Integration)]
    public async Task Gateway_with_invalid_config_prints_the_keys_and_exits_78()
    {
        var config = GatewayProcess.Config("gw-bad", null, new JsonObject { ["Id"] = "wb1", ["Type"] = "scale", ["Protocol"] = "toledo2", ["Connection"] = new JsonObject { ["Kind"] = "tcp", ["Host"] = "127.0.0.1", ["Port"] = 1 } });
        config["Gateway"]!["Mqtt"]!["Port"] = 0;
        using var gw = GatewayProcess.Start(config);

        Assert.True(await gw.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)), gw.Output);
        Assert.Equal(78, gw.Process.ExitCode);
        Assert.Contains("Gateway:Devices:0:Protocol: 'toledo2' is not one of toledo-continuous, mt-sics, xk3190-a9, xk3190-a12, regex, modbus.", gw.Output, StringComparison.Ordinal);
        Assert.Contains("Gateway:Mqtt:Port: 0 is not between 1 and 65535.", gw.Output, StringComparison.Ordinal);

        // The operator sees the keys, not the host's stack trace of the same failure.
        Assert.DoesNotContain("   at ", gw.Output, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Traits.Category, Traits.Integration)]
    public async Task Environment_overrides_the_config_file_keys_and_a_value_that_does_not_convert_names_its_key()
    {
        var config = GatewayProcess.Config("gw-env", null, new JsonObject { ["Id"] = "syn", ["Type"] = "synthetic" });
        using var gw = GatewayProcess.Start(config, new Dictionary<string, string> { ["EDGE_GW_Gateway__Mqtt__Port"] = "not-a-port" });

        Assert.True(await gw.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)), gw.Output);
        Assert.Equal(78, gw.Process.ExitCode);
        Assert.Contains("Failed to convert configuration value 'not-a-port' at 'Gateway:Mqtt:Port' to type 'System.Int32'.", gw.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", gw.Output, StringComparison.Ordinal);
    }
}
