using TicketFunctions.Catalog;

namespace TicketFunctions.Bookings;

/// <summary>
/// Chooses the best free seats for a group, deterministically. In order of preference:
/// 1. side by side in one row, never stranding a single empty seat between the group and a taken seat or a wall
///    when some other block avoids it; then the row nearest the middle (the further-back one on a tie); then the
///    block nearest the centre of the row (the left one on a tie);
/// 2. when no row has room, the fewest rows, those nearest the middle, each row's share side by side where it can be
///    and near the centre.
/// Null when the hall has fewer free seats than the group.
/// </summary>
public static class SeatPicker
{
    public static IReadOnlyList<Seat>? Pick(int seatRows, int seatsPerRow, IReadOnlySet<Seat> taken, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var free = new bool[seatRows][];
        var freeCounts = new int[seatRows];
        for (var row = 0; row < seatRows; row++)
        {
            free[row] = new bool[seatsPerRow];
            for (var i = 0; i < seatsPerRow; i++)
            {
                free[row][i] = !taken.Contains(new Seat(row, i + 1));
                freeCounts[row] += free[row][i] ? 1 : 0;
            }
        }

        if (freeCounts.Sum() < count)
        {
            return null;
        }

        Block? best = null;
        for (var row = 0; row < seatRows; row++)
        {
            if (BestBlock(free[row], count) is { } block)
            {
                var candidate = block with { RowDistance = RowDistance(row, seatRows), Row = row };
                if (best is null || candidate.CompareTo(best.Value) < 0)
                {
                    best = candidate;
                }
            }
        }

        if (best is { } found)
        {
            return [.. Enumerable.Range(found.Start, count).Select(i => new Seat(found.Row, i + 1))];
        }

        return Split(free, freeCounts, count);
    }

    private static List<Seat> Split(bool[][] free, int[] freeCounts, int count)
    {
        var rows = ChooseRows(freeCounts, count);
        var seats = new List<Seat>(count);
        var remaining = count;
        foreach (var row in rows.OrderBy(r => RowDistance(r, free.Length)).ThenByDescending(r => r))
        {
            var share = Math.Min(remaining, freeCounts[row]);
            seats.AddRange(PickInRow(free[row], share).Select(i => new Seat(row, i + 1)));
            remaining -= share;
        }

        return [.. seats.Order()];
    }

    /// <summary>The fewest rows holding <paramref name="count"/> free seats, nearest the middle in total (a small DP).</summary>
    private static List<int> ChooseRows(int[] freeCounts, int count)
    {
        var rowCount = freeCounts.Length;
        var order = Enumerable.Range(0, rowCount).OrderBy(r => RowDistance(r, rowCount)).ThenByDescending(r => r).ToArray();

        // best[k, s]: the lowest total distance of k rows holding s seats (capped at count), with the rows taken.
        var best = new (double Distance, List<int> Rows)?[rowCount + 1, count + 1];
        best[0, 0] = (0, []);
        foreach (var row in order)
        {
            for (var k = rowCount - 1; k >= 0; k--)
            {
                for (var s = 0; s <= count; s++)
                {
                    if (best[k, s] is not { } from || freeCounts[row] == 0)
                    {
                        continue;
                    }

                    var to = Math.Min(count, s + freeCounts[row]);
                    var distance = from.Distance + RowDistance(row, rowCount);
                    if (best[k + 1, to] is not { } current || distance < current.Distance)
                    {
                        best[k + 1, to] = (distance, [.. from.Rows, row]);
                    }
                }
            }
        }

        for (var k = 1; k <= rowCount; k++)
        {
            if (best[k, count] is { } done)
            {
                return done.Rows;
            }
        }

        throw new InvalidOperationException("The hall has enough free seats, so some rows must hold them.");
    }

    /// <summary>Seat indexes for <paramref name="share"/> seats in one row: a block if one fits, else the most central free seats.</summary>
    private static IEnumerable<int> PickInRow(bool[] free, int share)
    {
        if (BestBlock(free, share) is { } block)
        {
            return Enumerable.Range(block.Start, share);
        }

        var centre = (free.Length - 1) / 2.0;
        return Enumerable.Range(0, free.Length).Where(i => free[i]).OrderBy(i => Math.Abs(i - centre)).ThenBy(i => i).Take(share);
    }

    private static Block? BestBlock(bool[] free, int count)
    {
        Block? best = null;
        var centre = (free.Length - 1) / 2.0;
        for (var start = 0; start + count <= free.Length; start++)
        {
            var end = start + count - 1;
            var fits = true;
            for (var i = start; i <= end && fits; i++)
            {
                fits = free[i];
            }

            if (!fits)
            {
                continue;
            }

            var left = 0;
            for (var i = start - 1; i >= 0 && free[i]; i--)
            {
                left++;
            }

            var right = 0;
            for (var i = end + 1; i < free.Length && free[i]; i++)
            {
                right++;
            }

            var candidate = new Block(0, 0, start, (left == 1 ? 1 : 0) + (right == 1 ? 1 : 0), Math.Abs(((start + end) / 2.0) - centre));
            if (best is null || candidate.CompareTo(best.Value) < 0)
            {
                best = candidate;
            }
        }

        return best;
    }

    private static double RowDistance(int row, int rowCount) => Math.Abs(row - ((rowCount - 1) / 2.0));

    /// <summary>A run of free seats; compares by stranded singles, then row distance, then centre distance, then position.</summary>
    private readonly record struct Block(int Row, double RowDistance, int Start, int Stranded, double CentreDistance) : IComparable<Block>
    {
        public int CompareTo(Block other)
        {
            var c = Stranded.CompareTo(other.Stranded);
            c = c != 0 ? c : RowDistance.CompareTo(other.RowDistance);
            c = c != 0 ? c : other.Row.CompareTo(Row);
            c = c != 0 ? c : CentreDistance.CompareTo(other.CentreDistance);
            return c != 0 ? c : Start.CompareTo(other.Start);
        }
    }
}
