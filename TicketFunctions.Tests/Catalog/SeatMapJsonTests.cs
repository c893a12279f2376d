using System.Text;
using System.Text.Json;
using TicketFunctions.Catalog;
using TicketFunctions.Common;

namespace TicketFunctions.Tests.Catalog;

public class SeatMapJsonTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 11)]
    [InlineData(26, 50)]
    public void The_seat_map_bytes_are_what_System_Text_Json_writes_for_the_response_record(int rows, int seatsPerRow)
    {
        var random = new Random(rows * seatsPerRow);
        var statuses = Enumerable.Range(0, rows * seatsPerRow).Select(_ => (byte)random.Next(3)).ToArray();
        var names = new[] { SeatStatus.Available, SeatStatus.Held, SeatStatus.Booked };
        var record = new SeatMapResponse(
            long.MaxValue,
            [.. statuses.Select((status, i) => new Seat(i / seatsPerRow, (i % seatsPerRow) + 1)).Select((seat, i) => new SeatStatusResponse(seat.ToString(), seat.RowLetter, seat.Number, names[statuses[i]]))]);

        var written = SeatMapJson.Write(long.MaxValue, rows, seatsPerRow, statuses);

        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(record, Json.Options)), Encoding.UTF8.GetString(written));
    }
}
