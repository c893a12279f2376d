using TicketFunctions.Bookings;
using TicketFunctions.Catalog;

namespace TicketFunctions.Tests.Bookings;

/// <summary>Halls are drawn row by row from A: '.' a free seat, 'X' a taken one.</summary>
public sealed class SeatPickerTests
{
    [Theory]
    // Empty hall: the middle row, the centre of the row.
    [InlineData(new[] { "..........", "..........", "..........", "..........", ".........." }, 2, "C5 C6")]
    [InlineData(new[] { "..........", "..........", "..........", "..........", ".........." }, 3, "C4 C5 C6")]
    [InlineData(new[] { "..........", "..........", "..........", "..........", ".........." }, 1, "C5")]
    // An even number of rows: of the two middle rows, the further-back one.
    [InlineData(new[] { "......", "......", "......", "......" }, 2, "C3 C4")]
    // A single seat, a single row.
    [InlineData(new[] { "." }, 1, "A1")]
    // Full middle rows: the nearest row with room (B is one row from the middle, E two).
    [InlineData(new[] { "..........", "..........", "XXXXXXXXXX", "XXXXXXXXXX", ".........." }, 4, "B4 B5 B6 B7")]
    // Fragmented hall: the middle row's centre is taken; the block nearest the centre that fits.
    [InlineData(new[] { "XXXXXXXXXX", "XXXXXXXXXX", "X...XX...X", "XXXXXXXXXX", "XXXXXXXXXX" }, 3, "C2 C3 C4")]
    // The whole row when the group fills it exactly.
    [InlineData(new[] { "XXXX", "....", "XXXX" }, 4, "B1 B2 B3 B4")]
    public void Picks_side_by_side_seats_in_the_best_row(string[] hall, int count, string expected)
        => Assert.Equal(expected, Pick(hall, count));

    [Theory]
    // The central pairs A3 A4 and A4 A5 would each leave one seat alone; A2 A3 (or A5 A6) strands nothing.
    [InlineData(new[] { "X.....X" }, 2, "A2 A3")]
    // A row of 6 with seat 1 taken: A3 A4 is central but strands A2; A2 A3 leaves a run of 3.
    [InlineData(new[] { "X....." }, 2, "A2 A3")]
    // Against a wall: in an empty row of 5, A2 A3 strands A1 and A3 A4 strands A5; A1 A2 strands nothing.
    [InlineData(new[] { "....." }, 2, "A1 A2")]
    // Stranding is avoided even at the cost of a less central row.
    [InlineData(new[] { "XXXXX", "X...X", "X..XX" }, 2, "C2 C3")]
    public void Never_strands_a_single_empty_seat_when_another_choice_avoids_it(string[] hall, int count, string expected)
        => Assert.Equal(expected, Pick(hall, count));

    [Fact]
    public void Strands_a_seat_only_when_every_choice_does()
    {
        // A run of 3: any pair leaves one seat; the centre-most (left on a tie) is taken.
        Assert.Equal("A2 A3", Pick(["X...X"], 2));
    }

    [Theory]
    // No row has 5 free side by side: two rows, nearest the middle, each share side by side.
    [InlineData(new[] { "XXX...XXXX", "XXX...XXXX", "XXX...XXXX", "XXX...XXXX", "XXX...XXXX" }, 5, "C4 C5 C6 D5 D6")]
    // The fewest rows beat the most central ones: B and C hold only 4 together, so A must be one of the two rows.
    [InlineData(new[] { "X....X", "XX..XX", "XX..XX", "XXXXXX" }, 6, "A2 A3 A4 A5 C3 C4")]
    // Scattered single seats: as many rows as it takes.
    [InlineData(new[] { "X.X", "X.X", "X.X" }, 3, "A2 B2 C2")]
    public void Splits_a_group_over_the_fewest_rows_when_no_row_has_room(string[] hall, int count, string expected)
        => Assert.Equal(expected, Pick(hall, count));

    [Theory]
    [InlineData(new[] { "XXXX", "XXXX" }, 1)]
    [InlineData(new[] { "XX.X", "X.XX" }, 3)]
    [InlineData(new[] { ".........." }, 11)]
    public void Answers_null_when_the_hall_has_too_few_free_seats(string[] hall, int count)
        => Assert.Null(SeatPicker.Pick(hall.Length, hall[0].Length, Taken(hall), count));

    [Fact]
    public void Is_deterministic()
    {
        string[] hall = ["X..X....X.", "...X..X...", "X........X", "..X..X..X.", ".........."];
        var first = Pick(hall, 4);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(first, Pick(hall, 4));
        }
    }

    [Fact]
    public void Always_picks_exactly_the_count_of_distinct_free_seats_of_the_hall()
    {
        var random = new Random(12345);
        for (var round = 0; round < 500; round++)
        {
            var rows = random.Next(1, 8);
            var perRow = random.Next(1, 15);
            var taken = new HashSet<Seat>();
            for (var r = 0; r < rows; r++)
            {
                for (var n = 1; n <= perRow; n++)
                {
                    if (random.NextDouble() < 0.5)
                    {
                        taken.Add(new Seat(r, n));
                    }
                }
            }

            var count = random.Next(1, 11);
            var picked = SeatPicker.Pick(rows, perRow, taken, count);
            var free = (rows * perRow) - taken.Count;
            if (free < count)
            {
                Assert.Null(picked);
                continue;
            }

            Assert.NotNull(picked);
            Assert.Equal(count, picked.Count);
            Assert.Equal(count, picked.Distinct().Count());
            Assert.All(picked, s => Assert.True(!taken.Contains(s) && s.Row < rows && s.Number >= 1 && s.Number <= perRow));
        }
    }

    private static string? Pick(string[] hall, int count)
    {
        var picked = SeatPicker.Pick(hall.Length, hall[0].Length, Taken(hall), count);
        return picked is null ? null : string.Join(' ', picked.Order().Select(s => s.ToString()));
    }

    private static HashSet<Seat> Taken(string[] hall)
    {
        var taken = new HashSet<Seat>();
        for (var row = 0; row < hall.Length; row++)
        {
            for (var i = 0; i < hall[row].Length; i++)
            {
                if (hall[row][i] == 'X')
                {
                    taken.Add(new Seat(row, i + 1));
                }
            }
        }

        return taken;
    }
}
