using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace TicketFunctions.Auth;

/// <summary>
/// Who an email names, for comparing accounts: the email as RFC 8265 (PRECIS) prepares and compares an identifier
/// (width and compatibility forms mapped by NFKC, case folded with toLowerCase, NFC) and its Unicode TS #39 skeleton
/// (NFD, each character replaced by its confusables.txt prototype, NFD again), with combining marks left out of the
/// skeleton so that a letter with an added accent still reads as the letter. Two accounts never share either key
/// (UNIQUE in the users table). An email that holds a character a reader cannot see or that changes how the text
/// around it is shown (controls, format characters such as zero-width spaces and bidi controls, any space) is
/// refused, as is a domain that ends in a dot.
/// </summary>
public static class EmailIdentity
{
    private static readonly FrozenDictionary<int, string> Prototypes = LoadPrototypes();

    /// <summary>The keys of an email, or the reason it cannot name an account.</summary>
    public static bool TryCreate(string email, out EmailKeys keys, out string problem)
    {
        ArgumentNullException.ThrowIfNull(email);
        keys = default;
        problem = "";
        if (!IsWellFormed(email))
        {
            problem = "Must be well-formed Unicode text.";
            return false;
        }

        foreach (var rune in email.EnumerateRunes())
        {
            if (IsInvisible(rune))
            {
                problem = "Must not contain spaces, control characters or invisible formatting characters (such as zero-width or bidirectional controls).";
                return false;
            }
        }

        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1)
        {
            problem = "Must be an email address.";
            return false;
        }

        var domain = email[(at + 1)..];
        if (domain.EndsWith('.') || domain.StartsWith('.') || domain.Contains("..", StringComparison.Ordinal)
            || domain.EndsWith('\u3002') || domain.EndsWith('\uFF0E') || domain.EndsWith('\uFF61'))
        {
            problem = "The domain must not start or end with a dot or hold two dots in a row.";
            return false;
        }

        var normalized = Normalize(email);
        keys = new EmailKeys(normalized, Skeleton(normalized));
        return true;
    }

    /// <summary>
    /// The PRECIS form that accounts are looked up by: NFKC (fullwidth and compatibility forms to their plain
    /// letters), lower case, NFC. Total, for any string, so that login can look up whatever was typed.
    /// </summary>
    public static string Normalize(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        if (!IsWellFormed(email))
        {
            return email;
        }

        var mapped = email.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        return mapped.Normalize(NormalizationForm.FormC);
    }

    /// <summary>
    /// The UTS #39 skeleton of a normalized email, without combining marks: two emails with the same skeleton look
    /// alike (Cyrillic "а" and Latin "a", "0" and "O", "1" and "l"), so only the first may have an account.
    /// </summary>
    public static string Skeleton(string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        var decomposed = normalized.Normalize(NormalizationForm.FormD);
        var mapped = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
        {
            if (Prototypes.TryGetValue(rune.Value, out var prototype))
            {
                mapped.Append(prototype);
            }
            else
            {
                mapped.Append(rune.ToString());
            }
        }

        var skeleton = new StringBuilder(mapped.Length);
        foreach (var rune in mapped.ToString().Normalize(NormalizationForm.FormD).EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark))
            {
                skeleton.Append(rune.ToString());
            }
        }

        // The table's prototypes keep the case of their letters ("0" reads as "O"): folded again so case never matters.
        return skeleton.ToString().ToLowerInvariant();
    }

    private static bool IsInvisible(Rune rune)
        => Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
            // Default-ignorable code points that are not Cf: the Hangul fillers and the combining grapheme joiner.
            || rune.Value is 0x034F or 0x115F or 0x1160 or 0x3164 or 0xFFA0 || (rune.Value >= 0xFE00 && rune.Value <= 0xFE0F)
            || (rune.Value >= 0xE0100 && rune.Value <= 0xE01EF);

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static FrozenDictionary<int, string> LoadPrototypes()
    {
        using var stream = typeof(EmailIdentity).Assembly.GetManifestResourceStream("confusables.txt")
            ?? throw new InvalidOperationException("The embedded confusables.txt is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var table = new Dictionary<int, string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(';');
            var target = new StringBuilder();
            foreach (var codePoint in parts[1].Split(' '))
            {
                target.Append(char.ConvertFromUtf32(int.Parse(codePoint, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }

            table[int.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture)] = target.ToString();
        }

        return table.ToFrozenDictionary();
    }
}
