using System.Text.RegularExpressions;

namespace Drawbridge.Safety.Rules;

/// <summary>Full UK postcodes and street addresses (house number + street).</summary>
internal static partial class Locations
{
    // Outward code letters follow Royal Mail's rules; the inward code never uses C, I, K, M, O or V.
    [GeneratedRegex(@"\b(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])[ \u00A0]?[0-9][ABD-HJLNP-UW-Z]{2}\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PostcodeRegex();

    [GeneratedRegex(@"\b(?:(?:Flat|Apartment|Apt|Unit)\.? ?[0-9]{1,4}[A-Za-z]?,? )?[0-9]{1,4}[A-Za-z]?(?:-[0-9]{1,4})?,? (?:[A-Z][a-z'\u2019\-]+ ){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Way|Crescent|Cres|Court|Ct|Place|Pl|Grove|Gardens|Gdns|Terrace|Walk|Hill|Row|Mews|Square|Sq|View|Rise|Parade|Park|Green|Vale|Boulevard|Wharf|Quay|Yard|Fold|Croft|Chase|Meadows?|Brow|Wynd|Brae|Heights|Embankment|Crest|Bank|End|Side|Approach|Circus|Hollow|Glade|Dale|Gate|Gardens)\b\.?",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AddressRegex();

    public static void RunPostcodes(Scan scan)
    {
        foreach (var m in PostcodeRegex().EnumerateMatches(scan.Text))
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

    public static void RunAddresses(Scan scan)
    {
        foreach (var m in AddressRegex().EnumerateMatches(scan.Text))
        {
            scan.Add(SafetyRules.Address, m.Index, m.Index + m.Length, Severity.Warn,
                "This looks like a street address. A house number and street point to one home.",
                "Remove the address, or say only the town or area.");
        }
    }

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
