namespace TicketFunctions.Bookings;

/// <summary>
/// One async queue per showtime in this process, in front of SQLite's hold checks and write. When many people book
/// one showtime at once, the holds of this instance take their turn here, awaiting without a thread or a database
/// connection; at its turn a hold reads what the holds before it committed, so once the showtime is full the rest
/// are refused by a read, without queueing for SQLite's one writer. Only an optimization: the database's locks and
/// constraints still decide. PostgreSQL's holds do not use it: they contend on seat rows only (hold_seats()).
/// </summary>
public sealed class ShowtimeGates
{
    private readonly Dictionary<long, Gate> _gates = [];

    /// <summary>Waits for the showtime's turn; disposing the result lets the next hold of that showtime in.</summary>
    public async Task<IDisposable> EnterAsync(long showtimeId, CancellationToken cancellationToken)
    {
        Gate gate;
        lock (_gates)
        {
            if (!_gates.TryGetValue(showtimeId, out gate!))
            {
                gate = new Gate(showtimeId);
                _gates.Add(showtimeId, gate);
            }

            gate.Users++;
        }

        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(gate);
            throw;
        }

        return new Turn(this, gate);
    }

    private void Leave(Gate gate)
    {
        lock (_gates)
        {
            // The last one out removes the showtime's queue, so that only showtimes being booked right now hold one.
            if (--gate.Users == 0)
            {
                _gates.Remove(gate.ShowtimeId);
                gate.Semaphore.Dispose();
            }
        }
    }

    private sealed class Gate(long showtimeId)
    {
        public long ShowtimeId { get; } = showtimeId;

        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        // Guarded by the owner's lock: the holds waiting for this gate or holding it.
        public int Users { get; set; }
    }

    private sealed class Turn(ShowtimeGates owner, Gate gate) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                gate.Semaphore.Release();
                owner.Leave(gate);
            }
        }
    }
}
