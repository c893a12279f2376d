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
/// The load generator: a fixed number of workers, each sending its next request as soon as the last one answered
/// (closed loop), over one SocketsHttpHandler with a connection per worker. It runs in the bench process, which
/// shares no process with the servers under test; the same generator drives each figure and its baselines, so its
/// own cost weighs on all alike. Raw operations (baseline a) run through the same loops, their "status" being the
/// HTTP status the reference function would answer.
/// </summary>
internal static class Load
{
    public static HttpClient Client(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromMinutes(3),
    };

    /// <summary>
    /// Sends requests 0..total-1 through <paramref name="workers"/> concurrent workers; with a <paramref name="duration"/>,
    /// no request starts after it (so that a slow target on busy cores costs the run time, not its budget).
    /// </summary>
    public static Task<LoadResult> RunAsync(HttpClient client, int workers, int total, Func<int, HttpRequestMessage> request, Func<int, bool>? isError = null, TimeSpan? duration = null)
        => RunAsync(workers, total, k => SendAsync(client, request(k)), isError, duration);

    /// <summary>Runs operations 0..total-1 (each answering a status) through <paramref name="workers"/> concurrent workers, until <paramref name="duration"/> if given.</summary>
    public static async Task<LoadResult> RunAsync(int workers, int total, Func<int, Task<int>> operation, Func<int, bool>? isError = null, TimeSpan? duration = null)
    {
        var latencies = new double[total];
        var statuses = new int[total];
        var next = -1;
        var done = 0;
        var until = duration ?? TimeSpan.MaxValue;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, Math.Min(workers, total)).Select(async _ =>
        {
            int i;
            while (clock.Elapsed < until && (i = Interlocked.Increment(ref next)) < total)
            {
                (latencies[i], statuses[i]) = await TimeAsync(operation, i);
                Interlocked.Increment(ref done);
            }
        }).ToArray();
        await Task.WhenAll(tasks);
        var count = Math.Min(done, total);
        return LoadResult.From(latencies[..count], statuses[..count], clock.Elapsed.TotalSeconds, isError ?? DefaultError);
    }

    /// <summary>Every request at once: all are created first, then released together.</summary>
    public static Task<LoadResult> BurstAsync(HttpClient client, int total, Func<int, HttpRequestMessage> request, Func<int, bool>? isError = null)
    {
        var messages = Enumerable.Range(0, total).Select(request).ToArray();
        return BurstAsync(total, k => SendAsync(client, messages[k]), isError);
    }

    /// <summary>Every operation at once, released together.</summary>
    public static async Task<LoadResult> BurstAsync(int total, Func<int, Task<int>> operation, Func<int, bool>? isError = null)
    {
        var latencies = new double[total];
        var statuses = new int[total];
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, total).Select(async i =>
        {
            await gate.Task;
            (latencies[i], statuses[i]) = await TimeAsync(operation, i);
        }).ToArray();
        var clock = Stopwatch.StartNew();
        gate.SetResult();
        await Task.WhenAll(tasks);
        return LoadResult.From(latencies, statuses, clock.Elapsed.TotalSeconds, isError ?? DefaultError);
    }

    /// <summary>Any 5xx, and any request that got no answer at all (status 0).</summary>
    public static bool DefaultError(int status) => status is 0 or >= 500;

    private static async Task<(double Ms, int Status)> TimeAsync(Func<int, Task<int>> operation, int k)
    {
        var start = Stopwatch.GetTimestamp();
        int status;
        try
        {
            status = await operation(k);
        }
#pragma warning disable CA1031 // A raw operation that throws is a 500 of its figure, not the end of the run.
        catch (Exception)
#pragma warning restore CA1031
        {
            status = 500;
        }

        return (Stopwatch.GetElapsedTime(start).TotalMilliseconds, status);
    }

    private static async Task<int> SendAsync(HttpClient client, HttpRequestMessage message)
    {
        try
        {
            // The body is read to its end before the clock stops (ResponseContentRead buffers it).
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead);
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return 0;
        }
        finally
        {
            message.Dispose();
        }
    }
}
