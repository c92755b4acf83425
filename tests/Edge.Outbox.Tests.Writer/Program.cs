// Appends readings from several producers as fast as the outbox takes them and prints, for every append that
// returned, "A <seq> <payload>" on stdout (one write per line, no buffering) — that line is the promise the crash
// test checks after SIGKILL. It also acknowledges old items the way the hub would: "R <n>" before asking the outbox
// to delete seqs ≤ n, "K <n>" after the deletion committed.
//
// Usage: Edge.Outbox.Tests.Writer --db PATH --run N [--producers P] [--ack-lag L]
using System.Globalization;
using System.Text;
using Edge.Outbox;

string? db = null;
var run = 0;
var producers = 8;
var ackLag = 300;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--db" when i + 1 < args.Length:
            db = args[++i];
            break;
        case "--run" when i + 1 < args.Length:
            run = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--producers" when i + 1 < args.Length:
            producers = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--ack-lag" when i + 1 < args.Length:
            ackLag = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            await Console.Error.WriteLineAsync($"unknown argument '{args[i]}'");
            return 2;
    }
}

if (db is null)
{
    await Console.Error.WriteLineAsync("--db is required");
    return 2;
}

var stdout = Console.OpenStandardOutput();
var writeLock = new Lock();
void Print(string line)
{
    var bytes = Encoding.ASCII.GetBytes(line + "\n");
    lock (writeLock)
    {
        // One write(2) per line, straight to the pipe: once it returned, a SIGKILL cannot take the line back.
        stdout.Write(bytes);
        stdout.Flush();
    }
}

var outbox = new Outbox(new OutboxOptions { DatabasePath = db, SeqReservationBlock = 1000 });
await outbox.OpenAsync();
Print(string.Create(CultureInfo.InvariantCulture, $"READY {outbox.LastSeq}"));

var stop = new CancellationTokenSource();
var tasks = new List<Task>();
for (var p = 0; p < producers; p++)
{
    var producer = p;
    tasks.Add(Task.Run(async () =>
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var payload = string.Create(CultureInfo.InvariantCulture, $"r{run}p{producer}n{n}");
            var item = new OutboxItem("reading", $"dev-{producer}", DateTimeOffset.UtcNow, clockSynced: true, Encoding.ASCII.GetBytes(payload));
            var seq = await outbox.AppendAsync(item);
            Print(string.Create(CultureInfo.InvariantCulture, $"A {seq} {payload}"));
        }
    }));
}

tasks.Add(Task.Run(async () =>
{
    long acked = 0;
    while (!stop.IsCancellationRequested)
    {
        await Task.Delay(20);
        var through = outbox.LastSeq - ackLag;
        if (through > acked)
        {
            Print(string.Create(CultureInfo.InvariantCulture, $"R {through}"));
            await outbox.AcknowledgeAsync(through, null);
            Print(string.Create(CultureInfo.InvariantCulture, $"K {through}"));
            acked = through;
        }
    }
}));

// Runs until killed; stdin closing (the test host died) ends it cleanly instead of leaving an orphan.
await Task.Run(() => Console.In.ReadToEnd());
await stop.CancelAsync();
await Task.WhenAll(tasks);
await outbox.DisposeAsync();
return 0;
