using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using TicketFunctions.Common;

namespace TicketFunctions.Catalog;

/// <summary>
/// The seat map's JSON, put together from pieces that System.Text.Json wrote once: the seat map is the hottest read
/// (up to 1,300 seats per answer), and serializing 1,300 records per request cost more than the rest of the request
/// (see BENCHMARKS.md). The bytes are exactly those of <see cref="SeatMapResponse"/> written with
/// <see cref="Json.Options"/>, which stays the documented contract; a test holds the two equal.
/// </summary>
internal static class SeatMapJson
{
    public const byte Available = 0;
    public const byte Held = 1;
    public const byte Booked = 2;

    private static readonly string[] Statuses = [SeatStatus.Available, SeatStatus.Held, SeatStatus.Booked];

    // [status][row * MaxSeatsPerRow + number - 1]: {"seat":"A1","row":"A","number":1,"status":"available"}
    private static readonly byte[][][] Seats = [.. Statuses.Select(status =>
        Enumerable.Range(0, Seat.MaxRows * Seat.MaxSeatsPerRow)
            .Select(i => new Seat(i / Seat.MaxSeatsPerRow, (i % Seat.MaxSeatsPerRow) + 1))
            .Select(seat => JsonSerializer.SerializeToUtf8Bytes(new SeatStatusResponse(seat.ToString(), seat.RowLetter, seat.Number, status), Json.Options))
            .ToArray())];

    /// <summary>
    /// The map of a <paramref name="rows"/> x <paramref name="seatsPerRow"/> theatre; <paramref name="statuses"/>
    /// holds one of <see cref="Available"/>, <see cref="Held"/>, <see cref="Booked"/> per seat in row-major order.
    /// </summary>
    public static byte[] Write(long showtimeId, int rows, int seatsPerRow, ReadOnlySpan<byte> statuses)
    {
        // {"showtimeId":5,"seats":[]} from the serializer itself, split before its closing "]}".
        var envelope = JsonSerializer.SerializeToUtf8Bytes(new SeatMapResponse(showtimeId, []), Json.Options);
        var head = envelope.AsSpan(0, envelope.Length - 2);
        var tail = envelope.AsSpan(envelope.Length - 2);

        var length = head.Length + tail.Length + Math.Max(0, statuses.Length - 1);
        for (var i = 0; i < statuses.Length; i++)
        {
            length += Fragment(i, seatsPerRow, statuses[i]).Length;
        }

        var json = new byte[length];
        var span = json.AsSpan();
        head.CopyTo(span);
        var at = head.Length;
        for (var i = 0; i < rows * seatsPerRow; i++)
        {
            if (i > 0)
            {
                span[at++] = (byte)',';
            }

            var fragment = Fragment(i, seatsPerRow, statuses[i]);
            fragment.CopyTo(span[at..]);
            at += fragment.Length;
        }

        tail.CopyTo(span[at..]);
        return json;
    }

    private static byte[] Fragment(int index, int seatsPerRow, byte status)
        => Seats[status][((index / seatsPerRow) * Seat.MaxSeatsPerRow) + (index % seatsPerRow)];

    /// <summary>A 200 with the bytes as they are, typed as the JSON answers of the rest of the API.</summary>
    public sealed class Result(byte[] json) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = json.Length;
            return response.Body.WriteAsync(json, context.HttpContext.RequestAborted).AsTask();
        }
    }
}
