using Edge.Contracts;
using Edge.Devices.Scanners;
using Edge.Devices.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Devices.Tests.Scanners;

public class RepeatSuppressorTests
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Same_code_within_the_window_is_suppressed()
    {
        var s = new RepeatSuppressor(TimeSpan.FromSeconds(3), sliding: false);

        Assert.True(s.ShouldAccept("gate1", "TRUCK-42", s_t0));
        Assert.False(s.ShouldAccept("gate1", "TRUCK-42", s_t0.AddSeconds(2.9)));
        Assert.True(s.ShouldAccept("gate1", "TRUCK-42", s_t0.AddSeconds(3)));
    }

    [Fact]
    public void Sliding_window_keeps_a_parked_tag_suppressed()
    {
        var s = new RepeatSuppressor(TimeSpan.FromSeconds(3));
        Assert.True(s.ShouldAccept("gate1", "E200", s_t0));

        // Read every second for a minute: one scan.
        for (var i = 1; i <= 60; i++)
        {
            Assert.False(s.ShouldAccept("gate1", "E200", s_t0.AddSeconds(i)));
        }

        // Away for a whole window: a new scan.
        Assert.True(s.ShouldAccept("gate1", "E200", s_t0.AddSeconds(63)));
    }

    [Fact]
    public void Stations_are_suppressed_independently()
    {
        var s = new RepeatSuppressor(TimeSpan.FromSeconds(3));

        Assert.True(s.ShouldAccept("gate1", "LOT-7", s_t0));
        Assert.True(s.ShouldAccept("bay4", "LOT-7", s_t0.AddSeconds(1)));
    }

    [Fact]
    public void Two_tags_read_alternately_are_each_accepted_once()
    {
        var s = new RepeatSuppressor(TimeSpan.FromSeconds(3));
        var accepted = 0;
        for (var i = 0; i < 20; i++)
        {
            accepted += s.ShouldAccept("gate1", i % 2 == 0 ? "A" : "B", s_t0.AddMilliseconds(i * 100)) ? 1 : 0;
        }

        Assert.Equal(2, accepted);
    }

    [Fact]
    public void Memory_per_station_is_bounded()
    {
        var s = new RepeatSuppressor(TimeSpan.FromMinutes(10), maxCodesPerStation: 8);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(s.ShouldAccept("gate1", "CODE" + i, s_t0.AddSeconds(i)));
        }

        // The oldest codes were forgotten, the newest are still suppressed.
        Assert.True(s.ShouldAccept("gate1", "CODE0", s_t0.AddSeconds(101)));
        Assert.False(s.ShouldAccept("gate1", "CODE99", s_t0.AddSeconds(101)));
    }

    [Fact]
    public void Zero_window_disables_suppression()
    {
        var s = new RepeatSuppressor(TimeSpan.Zero);

        Assert.True(s.ShouldAccept("g", "X", s_t0));
        Assert.True(s.ShouldAccept("g", "X", s_t0));
    }
}

public class CodeNormalizerTests
{
    [Theory]
    [InlineData("e2 00 34 12 01 23 45 67 89 ab cd ef\r\n", "E20034120123456789ABCDEF")]
    [InlineData("E2:00:34:12:01:23:45:67:89:AB:CD:EF", "E20034120123456789ABCDEF")]
    [InlineData("3034257bf7194e4000000001", "3034257BF7194E4000000001")]
    public void Epc_is_normalised_to_upper_case_hex(string raw, string expected)
    {
        Assert.Equal(ScanRejection.None, CodeNormalizer.NormalizeEpc(raw, [], out var code));
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData("E20034120123456789ABCDEG", ScanRejection.NotHex)]
    [InlineData("E2003412012345678", ScanRejection.BadLength)]
    [InlineData("  \r\n", ScanRejection.Empty)]
    public void Invalid_epc_is_rejected(string raw, ScanRejection expected)
    {
        Assert.Equal(expected, CodeNormalizer.NormalizeEpc(raw, [], out _));
    }

    [Fact]
    public void Epc_length_can_be_restricted_to_epc96()
    {
        Assert.Equal(ScanRejection.BadLength, CodeNormalizer.NormalizeEpc("E2003412012345678ABCDEF0123456789", [24], out _));
        Assert.Equal(ScanRejection.None, CodeNormalizer.NormalizeEpc("E20034120123456789ABCDEF", [24], out _));
    }

    [Fact]
    public void Barcode_suffixes_are_trimmed_and_gs1_separators_kept()
    {
        Assert.Equal(ScanRejection.None, CodeNormalizer.NormalizeBarcode("\t(01)0950\u001D10LOT7\r\n", out var code));
        Assert.Equal("(01)0950\u001D10LOT7", code);
    }

    [Fact]
    public void Barcode_with_control_characters_inside_is_rejected()
    {
        Assert.Equal(ScanRejection.InvalidCharacters, CodeNormalizer.NormalizeBarcode("AB\u0007CD", out _));
    }

    [Fact]
    public void Barcode_longer_than_the_contract_allows_is_rejected()
    {
        Assert.Equal(ScanRejection.TooLong, CodeNormalizer.NormalizeBarcode(new string('9', ContractLimits.MaxCodeLength + 1), out _));
    }
}

public class ScannerTests
{
    private readonly ManualTimeProvider _time = new();

    private Scanner Create(Action<ScannerOptions>? configure = null)
    {
        var options = new ScannerOptions { DeviceId = "rfid-gate1", Station = "gate1", Tech = ScanTech.Rfid, Symbology = "epc-gen2" };
        configure?.Invoke(options);
        return new Scanner(options, _time, NullLogger.Instance);
    }

    [Fact]
    public async Task Repeated_wedge_reads_become_one_scan()
    {
        var scanner = Create(o => o.Tech = ScanTech.Barcode);

        Assert.Equal(ScanOutcome.Accepted, await scanner.SubmitAsync("LOT-0001\n", CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ScanOutcome.Suppressed, await scanner.SubmitAsync("LOT-0001", CancellationToken.None));

        Assert.True(scanner.Scans.TryRead(out var read));
        Assert.Equal("LOT-0001", read.Code);
        Assert.Equal(ScanTech.Barcode, read.Tech);
        Assert.False(scanner.Scans.TryRead(out _));
    }

    [Fact]
    public async Task Reader_lines_are_extracted_validated_and_suppressed()
    {
        var scanner = Create(o => o.CodePattern = "^EPC:(?<code>[0-9A-Fa-f ]+),RSSI:-?[0-9]+$");
        var source = new FakeByteSource();
        source.Send("EPC:e200 3412 0123 4567 89ab cdef,RSSI:-61\r\nEPC:E20034120123456789ABCDEF,RSSI:-58\r\n");
        source.Send("garbage\r\nEPC:3034257BF7194E4000000001,RSSI:-70\r\n");
        source.End();
        using var cts = new CancellationTokenSource();
        var run = scanner.RunAsync(_ => ValueTask.FromResult<IByteSource>(source), cts.Token);

        await Wait.UntilAsync(() => scanner.Processor.Accepted + scanner.Processor.Suppressed + scanner.Processor.Rejected == 4, "four reads");
        await cts.CancelAsync();
        await run;

        var codes = new List<string>();
        while (scanner.Scans.TryRead(out var r))
        {
            codes.Add(r.Code);
            Assert.Equal("gate1", r.Station);
            Assert.Equal("epc-gen2", r.Symbology);
        }

        Assert.Equal(["E20034120123456789ABCDEF", "3034257BF7194E4000000001"], codes);
        Assert.Equal(1, scanner.Processor.Suppressed);
        Assert.Equal(1, scanner.Processor.Rejected);
    }

    [Fact]
    public async Task Failed_source_is_reopened_after_backoff()
    {
        var scanner = Create(o => o.Backoff = new BackoffOptions { Initial = TimeSpan.FromSeconds(2), Jitter = 0 });
        var opens = 0;
        var second = new FakeByteSource();
        second.Send("E20034120123456789ABCDEF\n");
        using var cts = new CancellationTokenSource();
        var run = scanner.RunAsync(_ =>
        {
            opens++;
            if (opens == 1)
            {
                throw new IOException("port vanished");
            }

            return ValueTask.FromResult<IByteSource>(second);
        }, cts.Token);

        await Wait.UntilAsync(() => scanner.Health.GetSnapshot().ErrorCount == 1, "failure recorded");
        _time.Advance(TimeSpan.FromSeconds(2));
        await Wait.UntilAsync(() => scanner.Processor.Accepted == 1, "read after reopen");
        Assert.Equal(2, opens);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Unplugged_wedge_scanner_is_reopened_and_keeps_scanning()
    {
        var scanner = Create(o =>
        {
            o.Tech = ScanTech.Barcode;
            o.Backoff = new BackoffOptions { Initial = TimeSpan.FromSeconds(1), Jitter = 0 };
        });
        var opens = 0;
        using var cts = new CancellationTokenSource();
        var run = scanner.RunAsync(ct => ++opens == 1 ? Unplugged() : Reads("LOT-2"), cts.Token);

        await Wait.UntilAsync(() => scanner.Processor.Accepted == 1 && scanner.Health.GetSnapshot().ErrorCount == 1, "first scan, then unplug");
        _time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => scanner.Processor.Accepted == 2, "scan after reopen");

        await cts.CancelAsync();
        await run;

        static async IAsyncEnumerable<string> Unplugged()
        {
            yield return "LOT-1";
            await Task.Yield();
            throw new IOException("ENODEV");
        }

        static async IAsyncEnumerable<string> Reads(string code)
        {
            await Task.Yield();
            yield return code;
        }
    }

    [Fact]
    public async Task Scan_becomes_a_contract_scan_event()
    {
        var scanner = Create();
        await scanner.SubmitAsync("E20034120123456789ABCDEF", CancellationToken.None);
        scanner.Scans.TryRead(out var read);

        var e = read!.ToScanEvent("gw1", 17, clockSynced: true);

        Assert.Equal(17, e.Seq);
        Assert.Equal("rfid-gate1", e.Device);
        Assert.Equal(ScanTech.Rfid, e.Tech);
        Assert.Equal(_time.GetUtcNow(), e.Ts);
    }

    [Fact]
    public void Pattern_without_code_group_is_a_configuration_error()
    {
        var ex = Assert.Throws<DeviceConfigurationException>(() => Create(o => o.CodePattern = "^(?<epc>.*)$"));

        Assert.Contains("Scanner:CodePattern", ex.Message);
    }
}
