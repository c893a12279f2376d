using System.Globalization;

namespace TicketFunctions.Catalog;

/// <summary>A seat of a theatre: row letter A..Z and number from 1, written "A1"; rows are 0-based inside.</summary>
public readonly record struct Seat(int Row, int Number) : IComparable<Seat>
{
    public const int MaxRows = 26;
    public const int MaxSeatsPerRow = 50;

    public string RowLetter => ((char)('A' + Row)).ToString();

    public override string ToString() => RowLetter + Number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses "A1".."Z50", any letter case, no leading zeros or spaces inside.</summary>
    public static bool TryParse(string? text, out Seat seat)
    {
        seat = default;
        if (text is null || text.Length is < 2 or > 3)
        {
            return false;
        }

        var letter = char.ToUpperInvariant(text[0]);
        if (letter is < 'A' or > 'Z' || text[1] == '0')
        {
            return false;
        }

        // Digits only: int.TryParse would also accept trailing NUL characters, and "E1\0" is not a seat.
        if (text.AsSpan(1).ContainsAnyExceptInRange('0', '9')
            || !int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number is < 1 or > MaxSeatsPerRow)
        {
            return false;
        }

        seat = new Seat(letter - 'A', number);
        return true;
    }

    public static Seat Parse(string text)
        => TryParse(text, out var seat) ? seat : throw new FormatException($"'{text}' is not a seat label.");

    public bool IsIn(long seatRows, long seatsPerRow) => Row < seatRows && Number <= seatsPerRow;

    /// <summary>Row-major order: A1, A2, ..., A10, B1.</summary>
    public int CompareTo(Seat other) => Row != other.Row ? Row.CompareTo(other.Row) : Number.CompareTo(other.Number);

    public static bool operator <(Seat left, Seat right) => left.CompareTo(right) < 0;

    public static bool operator >(Seat left, Seat right) => left.CompareTo(right) > 0;

    public static bool operator <=(Seat left, Seat right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Seat left, Seat right) => left.CompareTo(right) >= 0;

    /// <summary>Labels sorted by row, then number.</summary>
    public static IReadOnlyList<string> Sorted(IEnumerable<string> labels)
        => [.. labels.Select(Parse).Order().Select(s => s.ToString())];
}
