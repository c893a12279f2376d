using System.Diagnostics;
using Microsoft.Extensions.Options;
using TicketFunctions.Common;

namespace TicketFunctions.Auth;

/// <summary>
/// Runs the slow password hashes (about 0.1 s of one core each at OWASP's work factor) at most
/// <see cref="PasswordOptions.Concurrency"/> at a time, each on a thread of its own, so that a burst of logins or
/// registrations queues here, asynchronously, instead of taking every thread-pool thread the worker needs to pair,
/// route and answer other requests. A request waits for its turn up to <see cref="PasswordOptions.QueueTimeout"/>;
/// one that the queue ahead of it would keep waiting longer (from the measured time of recent hashes) is answered at
/// once, and either is a 503 whose Retry-After is the time the queue needs to drain.
/// </summary>
public sealed class PasswordWork : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _concurrency;
    private readonly TimeSpan _queueTimeout;
    private int _admitted;
    private long _averageTicks;

    public PasswordWork(IOptions<PasswordOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _concurrency = options.Value.Concurrency;
        _queueTimeout = options.Value.QueueTimeout;
        _slots = new SemaphoreSlim(_concurrency, _concurrency);
    }

    /// <summary>Requests waiting for a hash or hashing now.</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>The recent average time of one hash.</summary>
    public TimeSpan AverageHash => TimeSpan.FromTicks(Volatile.Read(ref _averageTicks));

    /// <summary>Runs <paramref name="hash"/> in its turn, or answers that the server is too busy to.</summary>
    public async Task<Result<T>> RunAsync<T>(Func<T> hash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hash);
        var ahead = Interlocked.Increment(ref _admitted);
        try
        {
            if (Drain(ahead) > _queueTimeout)
            {
                return Busy(ahead);
            }

            if (!await _slots.WaitAsync(_queueTimeout, cancellationToken))
            {
                return Busy(Admitted);
            }

            try
            {
                var started = Stopwatch.GetTimestamp();
                var result = await Task.Factory.StartNew(hash, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                Record(Stopwatch.GetElapsedTime(started));
                return result;
            }
            finally
            {
                _slots.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _admitted);
        }
    }

    public void Dispose() => _slots.Dispose();

    // The time until the last of `queued` requests has been hashed, at the recent pace.
    private TimeSpan Drain(int queued) => AverageHash * Math.Ceiling((double)queued / _concurrency);

    private Error.Unavailable Busy(int queued)
        => new("The server is busy checking other passwords; try again shortly.", Drain(queued));

    private void Record(TimeSpan elapsed)
    {
        // An exponentially weighted average (1/8 of each new figure), so the estimate follows the machine's load.
        long current, next;
        do
        {
            current = Volatile.Read(ref _averageTicks);
            next = current == 0 ? elapsed.Ticks : current + ((elapsed.Ticks - current) / 8);
        }
        while (Interlocked.CompareExchange(ref _averageTicks, next, current) != current);
    }
}
