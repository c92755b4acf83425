using System.Text.Json;
using Edge.TestSupport;

namespace Edge.Hub.Tests.Support;

/// <summary>What InfluxDB holds for a test gateway, counted by seq.</summary>
internal sealed record InfluxCounts(long Points, long DistinctSeqs, long SeqSum)
{
    /// <summary>Counts the counter and weight points of <paramref name="gatewayId"/>.</summary>
    public static async Task<InfluxCounts> ReadAsync(InfluxServer influx, string database, string gatewayId)
    {
        long points = 0, distinct = 0, sum = 0;
        foreach (var measurement in new[] { "counter", "weight" })
        {
            var rows = await influx.QueryRowsAsync(database, $"SELECT COUNT(\"seq\"), SUM(\"seq\") FROM \"{measurement}\" WHERE \"gateway\" = '{gatewayId}'");
            if (rows.Count > 0)
            {
                points += rows[0][1].GetInt64();
                sum += rows[0][2].GetInt64();
            }

            var d = await influx.QueryRowsAsync(database, $"SELECT COUNT(DISTINCT(\"seq\")) FROM \"{measurement}\" WHERE \"gateway\" = '{gatewayId}'");
            if (d.Count > 0)
            {
                distinct += d[0][1].GetInt64();
            }
        }

        return new InfluxCounts(points, distinct, sum);
    }

    /// <summary>The expected counts when seqs 1..n are all readings.</summary>
    public static InfluxCounts Expected(long n) => new(n, n, n * (n + 1) / 2);

    public static async Task<InfluxCounts> WaitForAsync(InfluxServer influx, string database, string gatewayId, long n, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        InfluxCounts counts;
        do
        {
            counts = await ReadAsync(influx, database, gatewayId);
            if (counts.Points >= n)
            {
                return counts;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        return counts;
    }

    internal static long Long(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetInt64() : 0;
}
