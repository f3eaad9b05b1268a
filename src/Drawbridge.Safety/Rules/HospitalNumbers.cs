using System.Text.RegularExpressions;

namespace Drawbridge.Safety.Rules;

/// <summary>Local patient identifiers, found by the words that introduce them (hospital number, MRN, unit no., …).</summary>
internal static partial class HospitalNumbers
{
    [GeneratedRegex(@"\b(?:(?:hospital|hosp\.?|unit|patient|pt|case|PAS|medical record|medical records|record|K|RXH|casenote|case note|notes) ?(?:number|numbers|no\.?|nos\.?|num\.?|#|id|ref|reference|identifier)|MRNs?|URN|UR number|PID)\b\.?(?: (?:is|was|of|=))? ?[(:#=\-\u2013]? ?(?<id>[A-Z]{0,4}[\-/]?[0-9][0-9A-Z\-/]{3,14})\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HospitalNumberRegex();

    public static void Run(Scan scan)
    {
        foreach (Match m in HospitalNumberRegex().Matches(scan.Text))
        {
            var id = m.Groups["id"];
            var value = id.ValueSpan;
            var digits = 0;
            foreach (var c in value)
            {
                digits += char.IsAsciiDigit(c) ? 1 : 0;
            }
            if (digits < 4 || value.EndsWith("-") || value.EndsWith("/"))
            {
                continue;
            }
            scan.Add(SafetyRules.HospitalNumber, id.Index, id.Index + id.Length, Severity.Block,
                "This looks like a hospital or patient record number. A local patient identifier points to one person's records.",
                "Remove the number. Talk about a patient only in ways that nobody could trace back to them.");
        }
    }
}
