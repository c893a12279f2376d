using System.Diagnostics;
using System.Globalization;

namespace TicketFunctions.Benchmarks;

/// <summary>What one load run measured: latencies of every request, the status codes, the wall time.</summary>
internal sealed record LoadResult(int Requests, int Errors, IReadOnlyDictionary<int, int> Statuses, double P50, double P95, double P99, double Max, double Seconds)
{
    public double Throughput => Requests / Seconds;

    public string StatusText => string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key switch { 0 => "no answer", Committed => "committed", _ => s.Key.ToString(CultureInfo.InvariantCulture) }}: {s.Value}"));

    /// <summary>The status recorded for a raw (non-HTTP) operation that succeeded.</summary>
    public const int Committed = 1;

    public static LoadResult From(double[] latencies, int[] statuses, double seconds, Func<int, bool> isError)
    {
        var sorted = latencies.Order().ToArray();
        return new LoadResult(
            latencies.Length,
            statuses.Count(isError),
            statuses.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count()),
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.95),
            Percentile(sorted, 0.99),
            sorted.Length == 0 ? 0 : sorted[^1],
            seconds);
    }

    /// <summary>Nearest rank: the smallest latency at or above the fraction of all requests.</summary>
    public static double Percentile(double[] sorted, double fraction)
        => sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// An in-process load generator: a fixed number of workers, each sending its next request as soon as the last one
/// answered (closed loop), over one SocketsHttpHandler with a connection per worker. The same generator drives each
/// figure and its baseline, so its own cost weighs on both.
/// </summary>
internal static class Load
{
    public static HttpClient Client(Uri baseAddress, int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromMinutes(3),
    };

    /// <summary>Sends requests 0..total-1 through <paramref name="workers"/> concurrent workers.</summary>
    public static async Task<LoadResult> RunAsync(HttpClient client, int workers, int total, Func<int, HttpRequestMessage> request, Func<int, bool>? isError = null)
    {
        var latencies = new double[total];
        var statuses = new int[total];
        var next = -1;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, Math.Min(workers, total)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                (latencies[i], statuses[i]) = await SendAsync(client, request(i));
            }
        }).ToArray();
        await Task.WhenAll(tasks);
        return LoadResult.From(latencies, statuses, clock.Elapsed.TotalSeconds, isError ?? DefaultError);
    }

    /// <summary>Every request at once: all are created first, then released together.</summary>
    public static async Task<LoadResult> BurstAsync(HttpClient client, int total, Func<int, HttpRequestMessage> request, Func<int, bool>? isError = null)
    {
        var messages = Enumerable.Range(0, total).Select(request).ToArray();
        var latencies = new double[total];
        var statuses = new int[total];
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, total).Select(async i =>
        {
            await gate.Task;
            (latencies[i], statuses[i]) = await SendAsync(client, messages[i]);
        }).ToArray();
        var clock = Stopwatch.StartNew();
        gate.SetResult();
        await Task.WhenAll(tasks);
        return LoadResult.From(latencies, statuses, clock.Elapsed.TotalSeconds, isError ?? DefaultError);
    }

    /// <summary>Any 5xx, and any request that got no answer at all (status 0).</summary>
    public static bool DefaultError(int status) => status is 0 or >= 500;

    private static async Task<(double Ms, int Status)> SendAsync(HttpClient client, HttpRequestMessage message)
    {
        var start = Stopwatch.GetTimestamp();
        var status = 0;
        try
        {
            // The body is read to its end before the clock stops (ResponseContentRead buffers it).
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead);
            status = (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            status = 0;
        }
        finally
        {
            message.Dispose();
        }

        return (Stopwatch.GetElapsedTime(start).TotalMilliseconds, status);
    }
}
