using System.Text.RegularExpressions;

namespace Drawbridge.Safety.Rules;

/// <summary>Local patient identifiers, found by the words that introduce them (hospital number, MRN, unit no., …).</summary>
internal static partial class HospitalNumbers
{
    [GeneratedRegex(@"\G(?:(?:hospital|hosp\.?|unit|patient|pt|case|PAS|medical record|medical records|record|K|RXH|casenote|case note|notes) ?(?:number|numbers|no\.?|nos\.?|num\.?|#|id|ref|reference|identifier)|MRNs?|URN|UR number|PID)\b\.?(?: (?:is|was|of|=))? ?[(:#=\-\u2013]? ?(?<id>[A-Z]{1,4}[0-9]{0,2} [0-9]{5,10}|[A-Z]{0,4}[\-/]?[0-9][0-9A-Z\-/]{3,14})\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HospitalNumberRegex();

    private static readonly WordSet Triggers = new("hospital hosp unit patient pt case pas medical record k rxh casenote notes mrn mrns urn ur pid");

    private static readonly WordSet Standalone = new("mrn mrns urn pid");

    private static readonly WordSet Nouns = new("number numbers no nos num id ref reference identifier record records note");

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsCandidate(Scan scan, int k)
    {
        var t = scan.Tokens[k];
        if (t.Kind != TokenKind.Word)
        {
            return false;
        }
        var w = scan.Tokens.Span(t);
        if (Standalone.Contains(w))
        {
            return true;
        }
        if (!Triggers.Contains(w))
        {
            return false;
        }
        if (k + 1 < scan.Tokens.Count && scan.Tokens[k + 1].Kind == TokenKind.Symbol && scan.Text[scan.Tokens[k + 1].Start] == '#')
        {
            return true;
        }
        var next = scan.NextWord(k);
        return Nouns.Contains(next) || next.Equals("number", StringComparison.OrdinalIgnoreCase) || (next.Length > 0 && Triggers.Contains(next));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Run(Scan scan)
    {
        foreach (var m in scan.MatchesAt(HospitalNumberRegex(), IsCandidate))
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
