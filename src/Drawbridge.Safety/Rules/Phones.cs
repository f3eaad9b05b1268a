using PhoneNumbers;

namespace Drawbridge.Safety.Rules;

/// <summary>
/// Phone numbers, UK and international. UK mobiles and geographic numbers are flagged; the
/// non-geographic ranges that services publish (0800, 03…, 084…, 087…, 09…) and short codes such
/// as 111, 999 or 116 123 are not, nor are numbers that follow words naming a service.
/// International numbers (+NN or 00NN) are checked with libphonenumber.
/// </summary>
internal static class Phones
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    private static readonly WordSet ServiceWords = new(
        "helpline helplines line lines switchboard reception receptionist surgery practice clinic clinics pharmacy pharmacist hospital ward " +
        "team service services office department dept desk centre center unit trust council samaritans childline " +
        "nhs hub booking bookings appointments appointment enquiries enquiry support crisis hotline freephone " +
        "gp hq headquarters police station school college university charity organisation organization " +
        "website web info information lo-call textphone minicom bsl hospice ambulance library fax museum leisure gym pool " +
        "shop store pharmacy chemist dentist dental optician opticians vets vet garage bank");

    private static readonly WordSet PersonalWords = new(
        "my his her their mum mom dad son daughter wife husband partner patient patients mobile home personal friend " +
        "neighbour neighbor brother sister nan gran grandma grandad grandson granddaughter me him them cousin aunt uncle " +
        "niece nephew boyfriend girlfriend fiance carer whatsapp");

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Run(Scan scan)
    {
        var s = scan.Text;
        var i = 0;
        while (i < s.Length)
        {
            var next = s.AsSpan(i).IndexOfAny("0123456789+(");
            if (next < 0)
            {
                return;
            }
            i += next;
            var start = i;
            if (start > 0 && (char.IsLetterOrDigit(s[start - 1]) || s[start - 1] is '.' or ',' or '/' or '£' or '$' or '€' or '#' or '@' or ':'
                && start >= 2 && char.IsAsciiDigit(s[start - 2])))
            {
                i = SkipNumberish(s, i + 1);
                continue;
            }
            if (s[i] is '+' or '(' && (i + 1 >= s.Length || !(char.IsAsciiDigit(s[i + 1]) || (s[i] == '(' && s[i + 1] == '+'))))
            {
                i++;
                continue;
            }
            var end = Extend(s, start, out var digits);
            i = Math.Max(end, start + 1);
            if (digits < 9 || digits > 15 || end >= 0 && end < s.Length && (char.IsLetter(s[end]) || IsDecimalAfter(s, end)))
            {
                continue;
            }
            Judge(scan, start, end);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int SkipNumberish(string s, int p)
    {
        while (p < s.Length && (char.IsLetterOrDigit(s[p]) || s[p] is '.' or ',' or '/' or '-' or ':'))
        {
            p++;
        }
        return p;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsDecimalAfter(string s, int end) =>
        end + 1 < s.Length && s[end] is '.' or ',' or '/' or ':' && char.IsAsciiDigit(s[end + 1]);

    /// <summary>Extends over digits and single separators; returns the end just after the last digit.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int Extend(string s, int start, out int digits)
    {
        digits = 0;
        var lastDigitEnd = start;
        var seps = 0;
        var p = start;
        var limit = Math.Min(s.Length, start + 26);
        while (p < limit)
        {
            var c = s[p];
            if (char.IsAsciiDigit(c))
            {
                digits++;
                seps = 0;
                lastDigitEnd = p + 1;
            }
            else if (c == '+' && p == start)
            {
                // Leading plus only.
            }
            else if (c is ' ' or '-' or '(' or ')' or '.' or '\u00A0' or '\u2013')
            {
                seps++;
                if (seps > 2 || (c == '.' && (p + 1 >= s.Length || !char.IsAsciiDigit(s[p + 1]))))
                {
                    break;
                }
            }
            else
            {
                break;
            }
            p++;
        }
        return lastDigitEnd;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Judge(Scan scan, int start, int end)
    {
        var s = scan.Text;
        Span<char> buf = stackalloc char[32];
        var n = 0;
        var plus = false;
        for (var k = start; k < end && n < buf.Length; k++)
        {
            var c = s[k];
            if (char.IsAsciiDigit(c))
            {
                buf[n++] = c;
            }
            else if (c == '+' && n == 0)
            {
                plus = true;
            }
        }
        var digits = buf[..n];
        if (!plus && digits.StartsWith("00"))
        {
            plus = true;
            digits = digits[2..];
        }
        // "(0)" in "+44 (0)20 …" is not dialled.
        if (plus)
        {
            if (digits.StartsWith("44"))
            {
                var national = digits[2..];
                if (national.Length > 0 && national[0] == '0')
                {
                    national = national[1..];
                }
                if (ClassifyUk(national) is UkKind.None or UkKind.Service)
                {
                    return;
                }
                Report(scan, start, end, national[0] == '7');
                return;
            }
            if (!IsInternational(digits))
            {
                return;
            }
            if (!ServiceNearby(scan, start))
            {
                Report(scan, start, end, false);
            }
            return;
        }
        if (digits.Length < 10 || digits[0] != '0')
        {
            return;
        }
        var kind = ClassifyUk(digits[1..]);
        if (kind == UkKind.Mobile || (kind == UkKind.Landline && !ServiceNearby(scan, start)))
        {
            Report(scan, start, end, kind == UkKind.Mobile);
        }
    }

    private enum UkKind
    {
        None,
        Mobile,
        Landline,
        Service,
    }

    /// <summary>Classifies a UK national significant number (without the leading 0).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static UkKind ClassifyUk(ReadOnlySpan<char> nsn)
    {
        if (nsn.Length is < 9 or > 10)
        {
            return UkKind.None;
        }
        return nsn[0] switch
        {
            '7' when nsn.Length == 10 && !nsn.StartsWith("70") && !nsn.StartsWith("76") => UkKind.Mobile,
            '1' or '2' => UkKind.Landline,
            '5' when nsn.StartsWith("5") && nsn.Length == 10 && (nsn[1] is '5' or '6') => UkKind.Landline,
            '3' or '8' or '9' => UkKind.Service,
            '7' => UkKind.Service,
            '5' => UkKind.Service,
            _ => UkKind.None,
        };
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsInternational(ReadOnlySpan<char> digits)
    {
        try
        {
            var number = Util.Parse("+" + digits.ToString(), "ZZ");
            return Util.IsValidNumber(number);
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>The nearest telling word before the number, within its sentence, names a service rather than a person.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool ServiceNearby(Scan scan, int start)
    {
        var tokens = scan.Tokens;
        var idx = tokens.TokenAt(start) - 1;
        var seen = 0;
        var all = tokens.Tokens;
        while (idx >= 0 && seen < 12)
        {
            var t = all[idx];
            if (t.Kind == TokenKind.Word)
            {
                var w = tokens.Span(t);
                if (PersonalWords.Contains(w))
                {
                    return false;
                }
                if (ServiceWords.Contains(w))
                {
                    return true;
                }
                seen++;
            }
            else if (t.Kind == TokenKind.Number && t.Length == 3 && tokens.Span(t) is "111" or "999")
            {
                return true;
            }
            if (t.SentenceStart)
            {
                break;
            }
            idx--;
        }
        return false;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Report(Scan scan, int start, int end, bool mobile) =>
        scan.Add(SafetyRules.Phone, start, end, Severity.Warn,
            mobile
                ? "This looks like a mobile phone number. A personal number can identify someone and lets strangers contact them."
                : "This looks like a personal phone number. A phone number can identify someone and lets strangers contact them.",
            "Remove the number, or share a service's public number instead (for example NHS 111).");
}
