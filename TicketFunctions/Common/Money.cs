namespace TicketFunctions.Common;

/// <summary>The database keeps money as integer cents; the API shows decimals with exactly two places (12.50).</summary>
public static class Money
{
    public static decimal FromCents(long cents)
    {
        var magnitude = (ulong)Math.Abs(cents);
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, cents < 0, 2);
    }

    /// <summary>Cents for an amount with at most two decimal places; false for anything finer or out of range.</summary>
    public static bool TryToCents(decimal amount, out long cents)
    {
        cents = 0;
        var scaled = amount * 100m;
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue || scaled < long.MinValue)
        {
            return false;
        }

        cents = (long)scaled;
        return true;
    }
}
