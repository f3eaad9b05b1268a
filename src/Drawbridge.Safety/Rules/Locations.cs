using System.Text.RegularExpressions;

namespace Drawbridge.Safety.Rules;

/// <summary>Full UK postcodes and street addresses (house number + street).</summary>
internal static partial class Locations
{
    // Outward code letters follow Royal Mail's rules; the inward code never uses C, I, K, M, O or V.
    private static readonly Regex Postcode = new(@"\G(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])[ \u00A0]?[0-9][ABD-HJLNP-UW-Z]{2}\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));

    private static Regex PostcodeRegex() => Postcode;

    [GeneratedRegex(@"\G(?:(?:Flat|Apartment|Apt|Unit)\.? ?[0-9]{1,4}[A-Za-z]?,? )?[0-9]{1,4}[A-Za-z]?(?:-[0-9]{1,4})?,? (?:[A-Z][a-z'\u2019\-]+ ){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Way|Crescent|Cres|Court|Ct|Place|Pl|Grove|Gardens|Gdns|Terrace|Walk|Hill|Row|Mews|Square|Sq|View|Rise|Parade|Park|Green|Vale|Boulevard|Wharf|Quay|Yard|Fold|Croft|Chase|Meadows?|Brow|Wynd|Brae|Heights|Embankment|Crest|Bank|End|Side|Approach|Circus|Hollow|Glade|Dale|Gate|Gardens)\b\.?",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AddressRegex();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void RunPostcodes(Scan scan)
    {
        foreach (var m in scan.MatchesAt(PostcodeRegex(), [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] static (TokenizedText tt, Token t) => t.Kind == TokenKind.Word && t.Length is >= 2 and <= 7
            && char.IsAsciiLetter(tt.Text[t.Start]) && tt.Span(t).IndexOfAnyInRange('0', '9') > 0 && (t.Start == 0 || !char.IsLetterOrDigit(tt.Text[t.Start - 1]))))
        {
            var span = scan.Text.AsSpan(m.Index, m.Length);
            // Postcodes are written in capitals, or in lower case by people in a hurry; "Ab1 2Cd" is not one.
            if (!IsAllUpper(span) && !IsAllLower(span))
            {
                continue;
            }
            // Run together in lower case ("it10th") it is more likely a typo than a postcode.
            if (IsAllLower(span) && !span.Contains(' '))
            {
                continue;
            }
            scan.Add(SafetyRules.Postcode, m.Index, m.Index + m.Length, Severity.Warn,
                "This looks like a full postcode. A postcode narrows a place down to a handful of homes, so with other details it can identify someone.",
                "Use the town or area instead, or only the first half of the postcode.");
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void RunAddresses(Scan scan)
    {
        foreach (var m in scan.MatchesAt(AddressRegex(), [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] static (Scan scan, int k) =>
        {
            var tt = scan.Tokens;
            var t = tt[k];
            if (t.Kind == TokenKind.Word)
            {
                return tt.Span(t) is "Flat" or "Apartment" or "Apt" or "Unit";
            }
            if (t.Kind != TokenKind.Number || t.Length > 4 || (t.Start > 0 && char.IsLetterOrDigit(tt.Text[t.Start - 1])))
            {
                return false;
            }
            // A house number is followed by a capitalised street name (or a letter, "221B", or a comma).
            var next = scan.NextWord(k);
            return next.Length > 0 ? char.IsUpper(next[0]) : k + 1 < tt.Count && tt.Text[tt[k + 1].Start] is ',' or '-';
        }))
        {
            scan.Add(SafetyRules.Address, m.Index, m.Index + m.Length, Severity.Warn,
                "This looks like a street address. A house number and street point to one home.",
                "Remove the address, or say only the town or area.");
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsAllUpper(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (char.IsLower(c))
            {
                return false;
            }
        }
        return true;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsAllLower(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (char.IsUpper(c))
            {
                return false;
            }
        }
        return true;
    }
}
