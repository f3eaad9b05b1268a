using System.Text.RegularExpressions;

namespace Drawbridge.Safety.Rules;

/// <summary>
/// Dates of birth: a date introduced as one (DOB, date of birth, born), or a date given together with
/// an age that fits it. The date of an event ("the clinic on 12 March") is not a finding.
/// </summary>
internal static partial class DatesOfBirth
{
    private const string Month = "(?<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";

    [GeneratedRegex(
        @"(?<![0-9/.\-])(?:(?<d>[0-3]?[0-9])[/.\-](?<m>[01]?[0-9])[/.\-](?<y>(?:19|20)[0-9]{2}|[0-9]{2})(?![0-9]|[/.\-][0-9])" +
        @"|(?<y>(?:19|20)[0-9]{2})-(?<m>[01][0-9])-(?<d>[0-3][0-9])(?![0-9])" +
        @"|\b(?<d>[0-3]?[0-9])(?:st|nd|rd|th)?(?: of)? " + Month + @"\.?,? (?<y>(?:19|20)[0-9]{2}|'[0-9]{2})\b" +
        @"|\b" + Month + @"\.? (?<d>[0-3]?[0-9])(?:st|nd|rd|th)?,? (?<y>(?:19|20)[0-9]{2})\b)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex DateRegex();

    [GeneratedRegex(@"\G(?:born|d\.? ?o\.? ?b\.?|date of birth|year of birth|yob)\W{0,3}(?:in |on |is |was )?(?:(?<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?),? )?(?<y>(?:19|20)[0-9]{2})\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex BornYearRegex();

    [GeneratedRegex(@"\b(?<age>[0-9]{1,3}) ?-?(?:years?|yrs?|yo|y/o|y\.o\.?)(?:[ -]old)?(?![a-z])|\baged? (?<age>[0-9]{1,3})\b|\b(?:age|aged):? (?<age>[0-9]{1,3})\b|\((?<age>[0-9]{1,3})\)|\b(?:i'm|i am|she's|he's|she is|he is|they're|now|is|was|turned|turns|turning) (?<age>[0-9]{1,3})(?![0-9%]|[.,:][0-9])\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AgeRegex();

    [GeneratedRegex(@"\b(?:d\.? ?o\.? ?b\.?|date of birth|born|birth ?date|birthdate|birthday|b\.)\W{0,3}(?:(?:on|in|is|was|of|the|:)\W{1,2}){0,3}$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex IntroRegex();

    private const string Message = "This looks like a date of birth. With a name, a place or a condition, a date of birth can identify someone.";
    private const string Suggestion = "Remove the date, or give an age range instead (\"in her eighties\").";

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Run(Scan scan)
    {
        var text = scan.Text;
        if (text.AsSpan().IndexOfAnyInRange('0', '9') < 0)
        {
            return;
        }
        var today = scan.Context.Today ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var found = new List<(int Start, int End)>();
        var tokens = scan.Tokens;
        for (var k = 0; k < tokens.Count; k++)
        {
            // Every date we read ends in a year: look for dates only just before plausible years.
            var t = tokens[k];
            if (t.Kind != TokenKind.Number || !PlausibleYear(text, t))
            {
                continue;
            }
            var from = Math.Max(0, t.Start - 32);
            if (found.Count > 0 && found[^1].End > from)
            {
                from = found[^1].End;
            }
            // ISO dates (1985-04-17) put the year first.
            var iso = t.Length == 4 && t.End < text.Length && text[t.End] == '-';
            var to = Math.Min(text.Length, t.End + (iso ? 9 : 3));
            Match? m = null;
            for (var c = DateRegex().Match(text, from, to - from); c.Success; c = c.NextMatch())
            {
                var y = c.Groups["y"];
                if (y.Index + y.Length == t.End || (iso && y.Index == t.Start && c.Index == t.Start))
                {
                    m = c;
                    break;
                }
            }
            if (m is null || !TryDate(m, today, out var year))
            {
                continue;
            }
            if (IntroducedAsBirth(text, m.Index) || AgeFits(text, m.Index, m.Index + m.Length, year, today))
            {
                found.Add((m.Index, m.Index + m.Length));
                scan.Add(SafetyRules.DateOfBirth, m.Index, m.Index + m.Length, Severity.Warn, Message, Suggestion);
            }
        }
        foreach (var m in scan.MatchesAt(BornYearRegex(), [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] static (TokenizedText tt, Token t) =>
            t.Kind == TokenKind.Word && tt.Span(t) is var w && (w.Equals("born", StringComparison.OrdinalIgnoreCase) || w.Equals("dob", StringComparison.OrdinalIgnoreCase)
                || w.Equals("d", StringComparison.OrdinalIgnoreCase) || w.Equals("date", StringComparison.OrdinalIgnoreCase)
                || w.Equals("year", StringComparison.OrdinalIgnoreCase) || w.Equals("yob", StringComparison.OrdinalIgnoreCase))))
        {
            var y = m.Groups["y"];
            var start = m.Groups["mon"].Success ? m.Groups["mon"].Index : y.Index;
            var end = y.Index + y.Length;
            if (found.Exists(f => f.Start < end && start < f.End))
            {
                continue;
            }
            scan.Add(SafetyRules.DateOfBirth, start, end, Severity.Warn, Message, Suggestion);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool PlausibleYear(string text, Token t)
    {
        if (t.Length == 4)
        {
            return text[t.Start] is '1' or '2' && text[t.Start + 1] is '9' or '0';
        }
        return t.Length == 2 && t.Start > 0 && text[t.Start - 1] is '/' or '.' or '-' or '\'' or '\u2019';
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool TryDate(Match m, DateOnly today, out int year)
    {
        year = 0;
        var yText = m.Groups["y"].ValueSpan.TrimStart('\'');
        if (!int.TryParse(yText, out year) || !int.TryParse(m.Groups["d"].ValueSpan, out var day))
        {
            return false;
        }
        if (yText.Length == 2)
        {
            year += year <= today.Year % 100 ? 2000 : 1900;
        }
        int month;
        if (m.Groups["mon"].Success)
        {
            month = MonthNumber(m.Groups["mon"].ValueSpan);
        }
        else if (!int.TryParse(m.Groups["m"].ValueSpan, out month))
        {
            return false;
        }
        if (year < 1900 || year > today.Year)
        {
            return false;
        }
        // Day-month order is the UK's; accept the US order too when only it makes a date.
        return IsDate(day, month) || (!m.Groups["mon"].Success && IsDate(month, day));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsDate(int day, int month) =>
        month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(2000, month);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int MonthNumber(ReadOnlySpan<char> mon)
    {
        Span<char> lower = stackalloc char[3];
        mon[..3].ToLowerInvariant(lower);
        return lower switch
        {
            "jan" => 1,
            "feb" => 2,
            "mar" => 3,
            "apr" => 4,
            "may" => 5,
            "jun" => 6,
            "jul" => 7,
            "aug" => 8,
            "sep" => 9,
            "oct" => 10,
            "nov" => 11,
            _ => 12,
        };
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IntroducedAsBirth(string text, int start)
    {
        var from = Math.Max(0, start - 40);
        return IntroRegex().IsMatch(text.AsSpan(from, start - from));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool AgeFits(string text, int start, int end, int year, DateOnly today)
    {
        var (s, e) = SentenceAround(text, start, end);
        foreach (Match a in AgeRegex().Matches(text.Substring(s, e - s)))
        {
            if (int.TryParse(a.Groups["age"].ValueSpan, out var age) && age is > 0 and < 120 && Math.Abs(today.Year - year - age) <= 1)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The sentence (or line) around a span: bounded by a full stop followed by a space, ! ? or a line break, at most 200 characters each way.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static (int Start, int End) SentenceAround(string text, int start, int end)
    {
        var s = start;
        var limit = Math.Max(0, start - 200);
        while (s > limit)
        {
            var c = text[s - 1];
            if (c is '\n' or '!' or '?' || (c == '.' && s < text.Length && char.IsWhiteSpace(text[s])))
            {
                break;
            }
            s--;
        }
        var e = end;
        limit = Math.Min(text.Length, end + 200);
        while (e < limit)
        {
            var c = text[e];
            if (c is '\n' or '!' or '?' || (c == '.' && (e + 1 >= text.Length || char.IsWhiteSpace(text[e + 1]))))
            {
                break;
            }
            e++;
        }
        return (s, e);
    }
}
