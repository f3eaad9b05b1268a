using PhoneNumbers;

namespace Drawbridge.Safety.Rules;

/// <summary>
/// Phone numbers of any country, as people write them. UK mobiles and geographic numbers are flagged;
/// the non-geographic ranges that services publish (0800, 03…, 084…, 087…, 09…) and short codes such
/// as 111, 999 or 116 123 are not, nor are numbers that follow words naming a service. Numbers with a
/// country code (+NN or 00NN) are checked with libphonenumber against their own country's plan; numbers
/// without one against the plans of the countries people here most often come from or write to
/// (<see cref="NationalRegions"/>). Freephone, shared-cost and premium numbers are services, not people.
/// What is NOT a phone number (dates, versions, amounts, ISBNs, references after a word naming them)
/// is decided before any plan is asked.
/// </summary>
internal static class Phones
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>
    /// Countries whose numbers are recognised without a country code, after the UK: the countries of
    /// birth most common in the UK, English-speaking countries, and the UK's nearest neighbours.
    /// </summary>
    private static readonly string[] NationalRegions =
    [
        "US", "CA", "FR", "IE", "AU", "DE", "IN", "ES", "IT", "NL", "BE", "PL", "PK", "NG", "ZA", "PT", "RO", "NZ", "CH", "AT", "SE",
        "BR", "PH", "GH", "KE", "BD", "LK", "JM", "ZW", "MX", "JP", "CN", "TR", "GR", "DK", "NO", "FI", "LT", "CZ", "HU", "BG",
    ];

    /// <summary>Words that name what a number is when it is not a phone number: "order 1029384756", "ISBN …".</summary>
    private static readonly WordSet IdentifierWords = new(
        "ref ref. reference references order orders invoice inv id ids account acct a/c case ticket claim policy tracking parcel " +
        "receipt serial customer membership member booking confirmation transaction isbn issn doi version ver build release " +
        "kernel firmware patch sku item product model part batch lot code pin passport licence license registration reg " +
        "vat iban swift company charity registered no sequence job request incident issue bug pr commit");

    /// <summary>Words after a number that make it a quantity: "12 345 678 people", "3 450 000 euros".</summary>
    private static readonly WordSet QuantityWords = new(
        "people persons users patients residents visitors views downloads followers members staff jobs homes households " +
        "pounds euros dollars rupees naira rand yen gbp eur usd inr million millions billion bn km miles metres meters " +
        "steps calories kcal words votes signatures deaths cases tonnes litres bytes kb mb gb");

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
            if (start > 0 && (char.IsLetterOrDigit(s[start - 1]) || s[start - 1] is '.' or ',' or '/' or '£' or '$' or '€' or '₹' or '¥' or '#' or '@' or '_'
                || (s[start - 1] == ':' && start >= 2 && char.IsAsciiDigit(s[start - 2]))
                || (s[start - 1] == '-' && start >= 2 && char.IsLetterOrDigit(s[start - 2]))))
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
            var international = s[start] == '+' || (start + 1 < s.Length && s[start] == '(' && s[start + 1] == '+') || s.AsSpan(start).StartsWith("00");
            if (digits < (international ? 7 : s[start] == '0' || (s[start] == '(' && start + 1 < s.Length && s[start + 1] == '0') ? 8 : 9) || digits > 15 || end >= 0 && end < s.Length && (char.IsLetter(s[end]) || IsDecimalAfter(s, end)))
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
            else if (c == '+' && digits == 0 && (p == start || (p == start + 1 && s[start] == '(')))
            {
                // Leading plus only, or "(+44)".
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
        if (NotAPhone(scan, start, end, digits, plus))
        {
            return;
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
            var type = International(digits);
            if (type is null || IsServiceType(type.Value))
            {
                return;
            }
            if (type == PhoneNumberType.MOBILE || !ServiceNearby(scan, start))
            {
                Report(scan, start, end, type == PhoneNumberType.MOBILE);
            }
            return;
        }
        if (digits.Length >= 10 && digits[0] == '0')
        {
            var kind = ClassifyUk(digits[1..]);
            if (kind == UkKind.Mobile || (kind == UkKind.Landline && !ServiceNearby(scan, start)))
            {
                Report(scan, start, end, kind == UkKind.Mobile);
                return;
            }
            if (kind == UkKind.Landline)
            {
                return;
            }
        }
        var other = National(digits, s.AsSpan(start, end - start));
        if (other is null || IsServiceType(other.Value))
        {
            return;
        }
        if (other == PhoneNumberType.MOBILE || !ServiceNearby(scan, start))
        {
            Report(scan, start, end, other == PhoneNumberType.MOBILE);
        }
    }

    /// <summary>Numbers people publish for a service rather than a person.</summary>
    private static bool IsServiceType(PhoneNumberType type) =>
        type is PhoneNumberType.TOLL_FREE or PhoneNumberType.PREMIUM_RATE or PhoneNumberType.SHARED_COST or PhoneNumberType.UAN
            or PhoneNumberType.VOICEMAIL or PhoneNumberType.UNKNOWN;

    /// <summary>The type of a number written with its country code, or null when no country's plan has it.</summary>
    private static PhoneNumberType? International(ReadOnlySpan<char> digits)
    {
        // Country codes are prefix-free: at most one of the first one, two or three digits is one.
        for (var length = 1; length <= 3 && length < digits.Length; length++)
        {
            var cc = int.Parse(digits[..length], System.Globalization.CultureInfo.InvariantCulture);
            if (Util.GetRegionCodeForCountryCode(cc) == "ZZ")
            {
                continue;
            }
            var nsn = digits[length..];
            if (Build(cc, nsn) is { } number && Util.IsValidNumber(number))
            {
                return Util.GetNumberType(number);
            }
            // "+33 (0)1 …": the trunk 0 after the country code is not dialled.
            if (nsn.Length > 1 && nsn[0] == '0' && Build(cc, nsn[1..]) is { } trimmed && Util.IsValidNumber(trimmed))
            {
                return Util.GetNumberType(trimmed);
            }
            return null;
        }
        return null;
    }

    /// <summary>A number from its country code and national significant number, without the cost of parsing text.</summary>
    private static PhoneNumber? Build(int countryCode, ReadOnlySpan<char> nsn)
    {
        if (nsn.Length is < 4 or > 17 || !ulong.TryParse(nsn, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var national))
        {
            return null;
        }
        var builder = new PhoneNumber.Builder().SetCountryCode(countryCode).SetNationalNumber(national);
        var zeros = 0;
        while (zeros < nsn.Length - 1 && nsn[zeros] == '0')
        {
            zeros++;
        }
        if (zeros > 0)
        {
            // Italy keeps its leading 0 inside the number.
            builder.SetNumberOfLeadingZeros(zeros);
        }
        return builder.Build();
    }

    /// <summary>
    /// The type of a number written without a country code, asked of Britain's plan and each of
    /// <see cref="NationalRegions"/>. A country's plan counts only when the number is written as that country
    /// writes its own numbers: with its trunk prefix where its national format has one ("03 93 92 16 85", not
    /// "393921685"), and optionally with it where it has none ("1-905-…"). Where several countries have it, those
    /// whose grouping it is written in decide ("0301 2345085" is Pakistani, "0300 123 1000" British); within
    /// them, a personal number wins over a service number.
    /// </summary>
    private static PhoneNumberType? National(ReadOnlySpan<char> digits, ReadOnlySpan<char> written)
    {
        // The verdict depends only on the digits and how they are grouped, and asking 42 plans costs up to a
        // millisecond: the same number written the same way is answered from the cache.
        Span<int> groups = stackalloc int[12];
        var count = Layout(written, groups);
        Span<char> key = stackalloc char[digits.Length + 1 + count];
        digits.CopyTo(key);
        key[digits.Length] = '|';
        for (var g = 0; g < count; g++)
        {
            key[digits.Length + 1 + g] = (char)('0' + groups[g]);
        }
        var lookup = Verdicts.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var verdict = AskPlans(digits, written);
        if (Verdicts.Count >= MaxVerdicts)
        {
            // Bounded: a flood of distinct numbers starts the cache afresh rather than growing it without end.
            Verdicts.Clear();
        }
        lookup.TryAdd(key, verdict);
        return verdict;
    }

    private const int MaxVerdicts = 8192;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, PhoneNumberType?> Verdicts = new(StringComparer.Ordinal);

    private static PhoneNumberType? AskPlans(ReadOnlySpan<char> digits, ReadOnlySpan<char> written)
    {
        // Most numbers fit one country's plan: then neither formatting nor grouping needs to be asked.
        var fits = 0;
        PhoneNumber? only = null;
        for (var r = -1; r < NationalRegions.Length; r++)
        {
            var plan = Plans[r + 1];
            if (plan.MayHave(digits) && plan.WrittenAsItsOwn(digits) && plan.Number(digits) is { } candidate
                && Util.IsValidNumberForRegion(candidate, r < 0 ? "GB" : NationalRegions[r]))
            {
                fits++;
                only = candidate;
            }
        }
        if (fits <= 1)
        {
            return only is null ? null : Util.GetNumberType(only);
        }
        Span<int> layout = stackalloc int[12];
        var groups = Layout(written, layout);
        PhoneNumberType? any = null;
        PhoneNumberType? laidOut = null;
        PhoneNumberType? british = null;
        var britishLayout = false;
        Span<int> theirs = stackalloc int[12];
        for (var r = -1; r < NationalRegions.Length; r++)
        {
            var region = r < 0 ? "GB" : NationalRegions[r];
            var plan = Plans[r + 1];
            if (!plan.MayHave(digits) || plan.Number(digits) is not { } number || !Util.IsValidNumberForRegion(number, region) || !plan.WrittenAsItsOwn(digits))
            {
                continue;
            }
            var national = Util.Format(number, PhoneNumberFormat.NATIONAL);
            var trunk = Util.GetNddPrefixForRegion(region, true);
            if (!WrittenAsNational(digits, national, trunk))
            {
                continue;
            }
            var type = Util.GetNumberType(number);
            if (r < 0)
            {
                british = type;
            }
            any = Prefer(any, type);
            var theirGroups = Layout(national, theirs);
            if (groups > 1 && SameLayout(layout[..groups], theirs[..theirGroups], digits.Length - DigitCount(national)))
            {
                laidOut = Prefer(laidOut, type);
                britishLayout |= r < 0;
            }
        }
        // Written in Britain's grouping: Britain ("0808 808 4994" is a helpline, not a Nigerian mobile). Written in
        // another country's own grouping: that country. Otherwise Britain's plan first, then any.
        return britishLayout ? british : laidOut ?? british ?? any;
    }

    /// <summary>A country's trunk prefix and the lengths its numbers can have: most countries are ruled out by these alone.</summary>
    private sealed class Plan
    {
        private readonly string _trunk;
        private readonly ulong _lengths;

        public Plan(string region)
        {
            _trunk = Util.GetNddPrefixForRegion(region, true) ?? "";
            CountryCode = Util.GetCountryCodeForRegion(region);
            var example = Util.GetExampleNumberForType(region, PhoneNumberType.MOBILE) ?? Util.GetExampleNumber(region);
            _writesTrunk = _trunk.Length > 0 && example is not null
                && new string(Util.Format(example, PhoneNumberFormat.NATIONAL).Where(char.IsAsciiDigit).ToArray()).StartsWith(_trunk, StringComparison.Ordinal);
            var desc = Util.GetMetadataForRegion(region).GeneralDesc;
            foreach (var length in desc.PossibleLengthList)
            {
                _lengths |= 1UL << Math.Min(length, 63);
            }
        }

        public int CountryCode { get; }

        /// <summary>The number as this country would read it: its trunk prefix, if written, is not part of it.</summary>
        public PhoneNumber? Number(ReadOnlySpan<char> digits) =>
            Build(CountryCode, _trunk.Length > 0 && digits.StartsWith(_trunk) ? digits[_trunk.Length..] : digits);

        /// <summary>
        /// Whether the trunk prefix is written as this country writes its numbers: France writes "03 93 …" with
        /// its 0, Brazil "(11) 2345-6613" without, North America either way.
        /// </summary>
        public bool WrittenAsItsOwn(ReadOnlySpan<char> digits) =>
            _trunk.Length == 0 || !_writesTrunk || digits.StartsWith(_trunk);

        private readonly bool _writesTrunk;

        public bool MayHave(ReadOnlySpan<char> digits) =>
            (_lengths & (1UL << Math.Min(digits.Length, 63))) != 0
            || (_trunk.Length > 0 && digits.StartsWith(_trunk) && (_lengths & (1UL << Math.Min(digits.Length - _trunk.Length, 63))) != 0);
    }

    private static readonly Plan[] Plans = [new Plan("GB"), .. NationalRegions.Select(r => new Plan(r))];

    private static PhoneNumberType? Prefer(PhoneNumberType? held, PhoneNumberType type) =>
        held is null || (IsServiceType(held.Value) && !IsServiceType(type)) || type == PhoneNumberType.MOBILE ? type : held;

    private static int DigitCount(string s)
    {
        var n = 0;
        foreach (var c in s)
        {
            if (char.IsAsciiDigit(c))
            {
                n++;
            }
        }
        return n;
    }

    /// <summary>The lengths of the digit groups of a written number.</summary>
    private static int Layout(ReadOnlySpan<char> written, Span<int> lengths)
    {
        var groups = 0;
        var len = 0;
        foreach (var c in written)
        {
            if (char.IsAsciiDigit(c))
            {
                len++;
            }
            else if (len > 0 && groups < lengths.Length)
            {
                lengths[groups++] = len;
                len = 0;
            }
        }
        if (len > 0 && groups < lengths.Length)
        {
            lengths[groups++] = len;
        }
        return groups;
    }

    /// <summary>The same groups, allowing a written trunk prefix as a group of its own ("1-800-273-8255").</summary>
    private static bool SameLayout(ReadOnlySpan<int> written, ReadOnlySpan<int> national, int extraDigits)
    {
        if (extraDigits > 0 && written.Length == national.Length + 1 && written[0] == extraDigits)
        {
            written = written[1..];
        }
        return written.SequenceEqual(national);
    }

    private static bool WrittenAsNational(ReadOnlySpan<char> digits, string national, string? trunk)
    {
        Span<char> buf = stackalloc char[40];
        var n = 0;
        foreach (var c in national)
        {
            if (char.IsAsciiDigit(c) && n < buf.Length)
            {
                buf[n++] = c;
            }
        }
        var nat = buf[..n];
        return digits.SequenceEqual(nat)
            || (!string.IsNullOrEmpty(trunk) && digits.StartsWith(trunk) && digits[trunk.Length..].SequenceEqual(nat));
    }

    private static bool TryParse(string text, string region, out PhoneNumber number)
    {
        try
        {
            number = Util.Parse(text, region);
            return true;
        }
        catch (NumberParseException)
        {
            number = null!;
            return false;
        }
    }

    /// <summary>
    /// What is NOT a phone number though a plan might have it: a number a word names as something else ("order",
    /// "ISBN", "version"), a number inside an identifier another rule found, a date, a dotted version, a quantity
    /// written in thousands, an ISBN.
    /// </summary>
    private static bool NotAPhone(Scan scan, int start, int end, ReadOnlySpan<char> digits, bool plus)
    {
        foreach (var f in scan.Findings)
        {
            if (f.Start < end && start < f.End && f.Rule is not SafetyRules.Phone)
            {
                return true;
            }
        }
        var s = scan.Text;
        var span = s.AsSpan(start, end - start);
        if (IsPlaceholder(digits))
        {
            return true;
        }
        if (!plus)
        {
            if (IsDate(span) || IsDottedVersion(span) || IsNhsLayout(span) || (digits.Length == 13 && digits.StartsWith("97") && digits[2] is '8' or '9'))
            {
                return true;
            }
            if (IsThousands(span) && (QuantityAfter(scan, end) || CurrencyBefore(s, start)))
            {
                return true;
            }
        }
        return IdentifierBefore(scan, start);
    }

    /// <summary>Digit groups that read as a date: 15 03 2024, 2024-03-15, 15.03.2024, 20240315.</summary>
    private static bool IsDate(ReadOnlySpan<char> span)
    {
        Span<int> lengths = stackalloc int[8];
        Span<int> values = stackalloc int[8];
        var groups = 0;
        var len = 0;
        var value = 0;
        foreach (var c in span)
        {
            if (char.IsAsciiDigit(c))
            {
                len++;
                value = value * 10 + (c - '0');
            }
            else if (len > 0)
            {
                if (groups == 8)
                {
                    return false;
                }
                lengths[groups] = len;
                values[groups++] = value;
                len = 0;
                value = 0;
            }
        }
        if (len > 0 && groups < 8)
        {
            lengths[groups] = len;
            values[groups++] = Math.Min(value, int.MaxValue);
        }
        for (var g = 0; g + 2 < groups; g++)
        {
            var dayFirst = lengths[g] <= 2 && lengths[g + 1] <= 2 && lengths[g + 2] == 4 && IsYear(values[g + 2])
                && values[g] is >= 1 and <= 31 && values[g + 1] is >= 1 and <= 31;
            var yearFirst = lengths[g] == 4 && IsYear(values[g]) && lengths[g + 1] <= 2 && lengths[g + 2] <= 2
                && values[g + 1] is >= 1 and <= 12 && values[g + 2] is >= 1 and <= 31;
            if (dayFirst || yearFirst)
            {
                return true;
            }
        }
        return groups == 1 && lengths[0] == 8 && IsYear(values[0] / 10000) && values[0] / 100 % 100 is >= 1 and <= 12;
    }

    /// <summary>"1234567890", "0000000000": a number written to stand for one.</summary>
    private static bool IsPlaceholder(ReadOnlySpan<char> digits)
    {
        var ascending = true;
        var same = true;
        for (var k = 1; k < digits.Length; k++)
        {
            ascending &= digits[k] == (char)('0' + ((digits[k - 1] - '0' + 1) % 10));
            same &= digits[k] == digits[0];
        }
        return digits.Length > 0 && (ascending || same);
    }

    /// <summary>"450 555 1238": ten digits spaced 3-3-4 is how NHS numbers are written here, valid or not.</summary>
    private static bool IsNhsLayout(ReadOnlySpan<char> span) =>
        span.Length == 12 && span[3] == ' ' && span[7] == ' ' && span[0] != '0'
        && !span[..3].ContainsAnyExcept("0123456789") && !span[4..7].ContainsAnyExcept("0123456789") && !span[8..].ContainsAnyExcept("0123456789");

    private static bool IsYear(int y) => y is >= 1900 and <= 2099;

    /// <summary>"10.0.19045.3803": dot-separated groups, one of them a single digit.</summary>
    private static bool IsDottedVersion(ReadOnlySpan<char> span)
    {
        if (!span.Contains('.') || span.ContainsAny(" -"))
        {
            return false;
        }
        var len = 0;
        foreach (var c in span)
        {
            if (c == '.')
            {
                if (len == 1)
                {
                    return true;
                }
                len = 0;
            }
            else
            {
                len++;
            }
        }
        return len == 1;
    }

    /// <summary>"12 345 678", "1.234.567": a first group of one to three digits, then groups of three.</summary>
    private static bool IsThousands(ReadOnlySpan<char> span)
    {
        var groups = 0;
        var len = 0;
        var first = -1;
        foreach (var c in span)
        {
            if (char.IsAsciiDigit(c))
            {
                len++;
                continue;
            }
            if (len == 0)
            {
                return false;
            }
            if (first < 0)
            {
                first = len;
            }
            else if (len != 3)
            {
                return false;
            }
            groups++;
            len = 0;
        }
        return first is >= 1 and <= 3 && len == 3 && groups >= 2;
    }

    private static bool CurrencyBefore(string s, int start)
    {
        var p = start - 1;
        while (p >= 0 && s[p] is ' ' or '\u00A0')
        {
            p--;
        }
        return p >= 0 && (s[p] is '£' or '$' or '€' or '₹' or '¥' or '₦' || (p >= 2 && s.AsSpan(p - 2, 3) is "EUR" or "USD" or "GBP"));
    }

    private static bool QuantityAfter(Scan scan, int end)
    {
        var tokens = scan.Tokens;
        var k = tokens.TokenAt(end);
        var all = tokens.Tokens;
        while (k < all.Length && all[k].Start < end)
        {
            k++;
        }
        if (k < all.Length && all[k].Kind == TokenKind.Symbol && scan.Text[all[k].Start] is '€' or '$' or '£')
        {
            return true;
        }
        return k < all.Length && all[k].Kind == TokenKind.Word && QuantityWords.Contains(tokens.Span(all[k]));
    }

    /// <summary>One of the three words before the number (in its sentence) names it as something other than a phone.</summary>
    private static bool IdentifierBefore(Scan scan, int start)
    {
        var tokens = scan.Tokens;
        var all = tokens.Tokens;
        var idx = tokens.TokenAt(start) - 1;
        while (idx >= 0 && all[idx].Start >= start)
        {
            idx--;
        }
        var seen = 0;
        while (idx >= 0 && seen < 3)
        {
            var t = all[idx];
            if (t.Kind == TokenKind.Word)
            {
                var w = tokens.Span(t);
                if (IdentifierWords.Contains(w))
                {
                    // "phone no." and "mobile number" name a phone.
                    if (w is "no" or "No" or "NO" or "number" or "Number" && idx > 0 && all[idx - 1].Kind == TokenKind.Word
                        && PhoneWords.Contains(tokens.Span(all[idx - 1])))
                    {
                        return false;
                    }
                    return w is not ("no" or "No" or "NO" or "number" or "Number") || (idx > 0 && all[idx - 1].Kind == TokenKind.Word
                        && IdentifierWords.Contains(tokens.Span(all[idx - 1])));
                }
                if (PhoneWords.Contains(w))
                {
                    return false;
                }
                seen++;
            }
            if (t.SentenceStart)
            {
                break;
            }
            idx--;
        }
        return false;
    }

    private static readonly WordSet PhoneWords = new("phone telephone tel mobile mob cell cellphone landline whatsapp text call ring contact fax");

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
