using CsCheck;
using TicketFunctions.Bookings;
using TicketFunctions.Catalog;

namespace TicketFunctions.Tests.Bookings;

/// <summary>
/// The seat picker's promise over many generated halls (CsCheck, shrinking to a smallest failing hall): when a row has
/// the group's seats side by side, the pick is such a block; and it strands a single seat only when every block does.
/// </summary>
public sealed class SeatPickerPropertyTests
{
    /// <summary>Halls of 1..8 rows of 1..16 seats, each seat taken with a per-hall probability, and a group of 1..10.</summary>
    private static readonly Gen<(bool[][] Free, int Count)> Halls =
        from rows in Gen.Int[1, 8]
        from perRow in Gen.Int[1, 16]
        from takenPercent in Gen.Int[0, 90]
        from draws in Gen.Int[0, 99].Array[perRow].Array[rows]
        from count in Gen.Int[1, 10]
        select (draws.Select(row => row.Select(d => d >= takenPercent).ToArray()).ToArray(), count);

    [Fact]
    public void When_a_row_has_the_seats_side_by_side_the_pick_is_such_a_block()
        => Halls.Sample(hall =>
        {
            var blocks = Blocks(hall.Free, hall.Count).ToList();
            var picked = Pick(hall.Free, hall.Count);
            if (blocks.Count == 0)
            {
                return;
            }

            Assert.NotNull(picked);
            var row = picked[0].Row;
            var first = picked.Min(s => s.Number);
            Assert.True(
                picked.All(s => s.Row == row) && picked.Select(s => s.Number).Order().SequenceEqual(Enumerable.Range(first, hall.Count)),
                $"scattered pick {string.Join(' ', picked)} while {blocks.Count} block(s) exist");
        }, iter: 3000, print: Print);

    [Fact]
    public void The_pick_strands_a_single_seat_only_when_every_block_does()
        => Halls.Sample(hall =>
        {
            var blocks = Blocks(hall.Free, hall.Count).ToList();
            if (!blocks.Any(b => b.Stranded == 0))
            {
                return;
            }

            var picked = Pick(hall.Free, hall.Count)!;
            var chosen = blocks.Single(b => b.Row == picked[0].Row && b.Start == picked.Min(s => s.Number) - 1);
            Assert.True(chosen.Stranded == 0, $"the pick {string.Join(' ', picked)} strands {chosen.Stranded} seat(s) though a block strands none");
        }, iter: 3000, print: Print);

    private static IReadOnlyList<Seat>? Pick(bool[][] free, int count)
    {
        var taken = new HashSet<Seat>();
        for (var row = 0; row < free.Length; row++)
        {
            for (var i = 0; i < free[row].Length; i++)
            {
                if (!free[row][i])
                {
                    taken.Add(new Seat(row, i + 1));
                }
            }
        }

        return SeatPicker.Pick(free.Length, free[0].Length, taken, count);
    }

    /// <summary>Every run of <paramref name="count"/> free seats in one row, with how many single seats it would leave alone (0..2).</summary>
    private static IEnumerable<(int Row, int Start, int Stranded)> Blocks(bool[][] free, int count)
    {
        for (var row = 0; row < free.Length; row++)
        {
            var seats = free[row];
            for (var start = 0; start + count <= seats.Length; start++)
            {
                if (!seats.AsSpan(start, count).ToArray().All(f => f))
                {
                    continue;
                }

                var left = 0;
                while (start - left - 1 >= 0 && seats[start - left - 1])
                {
                    left++;
                }

                var right = 0;
                while (start + count + right < seats.Length && seats[start + count + right])
                {
                    right++;
                }

                yield return (row, start, (left == 1 ? 1 : 0) + (right == 1 ? 1 : 0));
            }
        }
    }

    private static string Print((bool[][] Free, int Count) hall)
        => $"{hall.Count} seat(s) in [{string.Join(", ", hall.Free.Select(r => new string([.. r.Select(f => f ? '.' : 'X')])))}]";
}
