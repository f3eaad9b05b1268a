namespace Drawbridge.Safety.Rules;

/// <summary>
/// NHS (England, Wales, Isle of Man), CHI (Scotland) and Health &amp; Care (Northern Ireland) numbers:
/// ten digits, written run together, spaced or dashed, that pass their check digit.
/// </summary>
internal static class PatientNumbers
{
    private const int MaxGroups = 8;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Run(Scan scan)
    {
        var s = scan.Text;
        Span<int> groupStart = stackalloc int[MaxGroups];
        Span<int> groupLen = stackalloc int[MaxGroups];
        var i = 0;
        while (i < s.Length)
        {
            var next = s.AsSpan(i).IndexOfAnyInRange('0', '9');
            if (next < 0)
            {
                return;
            }
            i += next;
            // A leading plus is a phone number's country code ("+1 415 555 2671"), never a patient number.
            if (i > 0 && s[i - 1] == '+')
            {
                i = SkipCluster(s, i);
                continue;
            }
            if (i > 0 && (char.IsLetter(s[i - 1]) || IsDecimalBefore(s, i)))
            {
                i = SkipDigits(s, i);
                continue;
            }
            // Gather a cluster of digit groups joined by single spaces or dashes.
            var groups = 0;
            var p = i;
            var tooLong = false;
            while (true)
            {
                var gs = p;
                p = SkipDigits(s, p);
                if (groups == MaxGroups)
                {
                    tooLong = true;
                    break;
                }
                groupStart[groups] = gs;
                groupLen[groups] = p - gs;
                groups++;
                if (p + 1 < s.Length && s[p] is ' ' or '-' or '\u00A0' or '\u2013' && char.IsAsciiDigit(s[p + 1]))
                {
                    p++;
                    continue;
                }
                break;
            }
            var clusterEnd = p;
            if (tooLong)
            {
                i = SkipCluster(s, p);
                continue;
            }
            // 943.476.5919: dots only in the 3-3-4 grouping, so decimals and version numbers stay out.
            if (groups == 1 && groupLen[0] == 3 && clusterEnd + 9 <= s.Length && s[clusterEnd] == '.' && !IsDecimalBefore(s, i)
                && IsRun(s, clusterEnd + 1, 3) && s[clusterEnd + 4] == '.' && IsRun(s, clusterEnd + 5, 4)
                && (clusterEnd + 9 == s.Length || !char.IsLetterOrDigit(s[clusterEnd + 9])) && (clusterEnd + 10 > s.Length || !IsDecimalAfter(s, clusterEnd + 9)))
            {
                Classify(scan, i, clusterEnd + 9);
                i = clusterEnd + 9;
                continue;
            }
            var endsCleanly = clusterEnd >= s.Length || (!char.IsLetter(s[clusterEnd]) && !IsDecimalAfter(s, clusterEnd));
            var total = 0;
            for (var g = 0; g < groups; g++)
            {
                total += groupLen[g];
            }
            if (total == 10 && endsCleanly)
            {
                Classify(scan, groupStart[0], clusterEnd);
            }
            else if (total > 10)
            {
                // A number run into neighbouring figures ("943 476 5919 2 weeks ago"): try each run of whole groups.
                for (var a = 0; a < groups; a++)
                {
                    var sum = 0;
                    for (var b = a; b < groups; b++)
                    {
                        sum += groupLen[b];
                        if (sum == 10 && groups > 1 && (b - a + 1) >= 2)
                        {
                            var end = groupStart[b] + groupLen[b];
                            var clean = end < s.Length ? !char.IsLetter(s[end]) && !IsDecimalAfter(s, end) : true;
                            if ((a > 0 || i == 0 || !char.IsLetter(s[i - 1])) && clean && Classify(scan, groupStart[a], end))
                            {
                                a = b;
                            }
                            break;
                        }
                        if (sum > 10)
                        {
                            break;
                        }
                    }
                }
            }
            i = clusterEnd;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsRun(string s, int from, int length)
    {
        for (var k = from; k < from + length; k++)
        {
            if (!char.IsAsciiDigit(s[k]))
            {
                return false;
            }
        }
        return from + length >= s.Length || !char.IsAsciiDigit(s[from + length]);
    }

    private static int SkipDigits(string s, int p)
    {
        while (p < s.Length && char.IsAsciiDigit(s[p]))
        {
            p++;
        }
        return p;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int SkipCluster(string s, int p)
    {
        while (p < s.Length && (char.IsAsciiDigit(s[p]) || s[p] is ' ' or '-'))
        {
            p++;
        }
        return p;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsDecimalBefore(string s, int i) =>
        i >= 2 && s[i - 1] is '.' or ',' or '/' or ':' && char.IsAsciiDigit(s[i - 2]);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsDecimalAfter(string s, int end) =>
        end + 1 < s.Length && s[end] is '.' or ',' or '/' or ':' && char.IsAsciiDigit(s[end + 1]);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool Classify(Scan scan, int start, int end)
    {
        Span<int> d = stackalloc int[10];
        var n = 0;
        for (var k = start; k < end && n < 10; k++)
        {
            if (char.IsAsciiDigit(scan.Text[k]))
            {
                d[n++] = scan.Text[k] - '0';
            }
        }
        if (n != 10)
        {
            return false;
        }
        var mod11 = Mod11(d);
        var mod10 = Luhn(d);
        if (!mod11 && !mod10)
        {
            return false;
        }
        var saysNhs = scan.WordBefore(start, 40, "nhs");
        var saysChi = scan.WordBefore(start, 40, "chi") || scan.WordBefore(start, 40, "community health index");
        var saysHc = scan.WordBefore(start, 40, "h&c") || scan.WordBefore(start, 40, "h+c")
            || scan.WordBefore(start, 50, "health and care") || scan.WordBefore(start, 50, "health & care");
        var chiDate = IsDdMmYy(d);
        var first3 = d[0] * 100 + d[1] * 10 + d[2];
        var phoneWords = d[0] == 0 && (scan.WordBefore(start, 25, "call") || scan.WordBefore(start, 25, "ring")
            || scan.WordBefore(start, 25, "phone") || scan.WordBefore(start, 25, "tel") || scan.WordBefore(start, 25, "mobile"));
        if ((phoneWords || OtherNumberWords(scan, start)) && !saysNhs && !saysChi && !saysHc)
        {
            return false;
        }
        if (!saysNhs && !saysChi && !saysHc && WrittenAsPhone(scan, start, end))
        {
            return false;
        }

        string? rule = null;
        if (mod11)
        {
            if (saysHc)
            {
                rule = SafetyRules.HealthAndCareNumber;
            }
            else if (saysChi && chiDate)
            {
                rule = SafetyRules.ChiNumber;
            }
            else if (saysNhs)
            {
                rule = SafetyRules.NhsNumber;
            }
            else if (first3 is >= 320 and <= 399)
            {
                rule = SafetyRules.HealthAndCareNumber;
            }
            else
            {
                rule = chiDate ? SafetyRules.ChiNumber : SafetyRules.NhsNumber;
            }
        }
        else if (chiDate && !saysNhs && !saysHc)
        {
            // NHS Scotland issues CHI numbers with a Modulus 10 (Luhn) check digit as well.
            rule = SafetyRules.ChiNumber;
        }
        if (rule is null)
        {
            return false;
        }
        var (what, suggestion) = rule switch
        {
            SafetyRules.ChiNumber => ("This looks like a CHI number (Scotland's patient number). It identifies one person on its own, and its first six digits are their date of birth.",
                "Remove the number. If someone has shared their own, reply privately and ask them to contact the service directly."),
            SafetyRules.HealthAndCareNumber => ("This looks like a Health and Care number (Northern Ireland's patient number). It identifies one person on its own.",
                "Remove the number. If someone has shared their own, reply privately and ask them to contact the service directly."),
            _ => ("This looks like an NHS number. An NHS number identifies one person on its own, so it must never appear in public.",
                "Remove the number. If someone has shared their own, reply privately and ask them to contact the service directly."),
        };
        scan.Add(rule, start, end, Severity.Block, what, suggestion);
        return true;
    }

    /// <summary>
    /// Laid out as phone numbers are and patient numbers never are: after an international 00, in pairs
    /// ("06 12 34 16 23"), or after a word only phones follow ("WhatsApp: 201-555-0127").
    /// One in eleven phone numbers passes the check digit by chance.
    /// </summary>
    private static bool WrittenAsPhone(Scan scan, int start, int end)
    {
        var s = scan.Text;
        if (s.AsSpan(start).StartsWith("00"))
        {
            return true;
        }
        var longest = 0;
        var len = 0;
        for (var k = start; k < end; k++)
        {
            len = char.IsAsciiDigit(s[k]) ? len + 1 : 0;
            longest = Math.Max(longest, len);
        }
        return longest <= 2 || scan.WordBefore(start, 25, "whatsapp") || scan.WordBefore(start, 25, "cell");
    }

    private static readonly string[] OtherNumbers =
    [
        "order", "invoice", "tracking", "account", "ticket", "serial", "policy", "transaction", "receipt", "parcel",
        "delivery", "charity", "company", "registration", "vat", "card", "isbn", "barcode", "product", "item", "model",
        "version", "membership", "licence", "license", "sort code", "payroll", "employee",
        "staff number", "pin",
    ];

    /// <summary>The number is introduced as something else (an order, an invoice, a charity…), one of 11 that pass by chance.</summary>
    private static bool OtherNumberWords(Scan scan, int start)
    {
        foreach (var w in OtherNumbers)
        {
            if (scan.WordBefore(start, 25, w))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>NHS Modulus 11: weights 10..2 over the first nine digits; a check of 10 is never issued.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static bool Mod11(ReadOnlySpan<int> d)
    {
        var sum = 0;
        for (var k = 0; k < 9; k++)
        {
            sum += d[k] * (10 - k);
        }
        var check = 11 - sum % 11;
        if (check == 11)
        {
            check = 0;
        }
        return check != 10 && check == d[9];
    }

    /// <summary>Modulus 10 (Luhn) over all ten digits, as used for newer CHI numbers.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static bool Luhn(ReadOnlySpan<int> d)
    {
        var sum = 0;
        for (var k = 0; k < 10; k++)
        {
            var v = d[9 - k];
            if (k % 2 == 1)
            {
                v *= 2;
                if (v > 9)
                {
                    v -= 9;
                }
            }
            sum += v;
        }
        return sum % 10 == 0;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static bool IsDdMmYy(ReadOnlySpan<int> d)
    {
        var day = d[0] * 10 + d[1];
        var month = d[2] * 10 + d[3];
        var yy = d[4] * 10 + d[5];
        if (month is < 1 or > 12 || day < 1)
        {
            return false;
        }
        // The century is unknown; 29 February is allowed whenever either century makes it a leap year.
        var maxDay = month == 2
            ? (DateTime.IsLeapYear(2000 + yy) || DateTime.IsLeapYear(1900 + yy) ? 29 : 28)
            : DateTime.DaysInMonth(2001, month);
        return day <= maxDay;
    }
}
