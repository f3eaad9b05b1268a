namespace Drawbridge.Listening;

/// <summary>The UK's three sets of bank holidays.</summary>
public enum UkNation { EnglandAndWales = 0, Scotland = 1, NorthernIreland = 2 }

/// <summary>
/// UK bank holidays. The years in <see cref="Published"/> are the published lists (GOV.UK, "UK bank holidays"), which
/// win over the rules because they carry one-off holidays (a coronation, a state funeral) no rule knows; other years
/// follow the rules of the Banking and Financial Dealings Act 1971 and the usual substitute days.
/// </summary>
public static class UkBankHolidays
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    /// <summary>The published lists. A test checks the rules give the same days for these years.</summary>
    internal static readonly IReadOnlyDictionary<(UkNation, int), DateOnly[]> Published = new Dictionary<(UkNation, int), DateOnly[]>
    {
        [(UkNation.EnglandAndWales, 2024)] = [D(2024, 1, 1), D(2024, 3, 29), D(2024, 4, 1), D(2024, 5, 6), D(2024, 5, 27), D(2024, 8, 26), D(2024, 12, 25), D(2024, 12, 26)],
        [(UkNation.EnglandAndWales, 2025)] = [D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26), D(2025, 8, 25), D(2025, 12, 25), D(2025, 12, 26)],
        [(UkNation.EnglandAndWales, 2026)] = [D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25), D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28)],
        [(UkNation.EnglandAndWales, 2027)] = [D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31), D(2027, 8, 30), D(2027, 12, 27), D(2027, 12, 28)],
        [(UkNation.EnglandAndWales, 2028)] = [D(2028, 1, 3), D(2028, 4, 14), D(2028, 4, 17), D(2028, 5, 1), D(2028, 5, 29), D(2028, 8, 28), D(2028, 12, 25), D(2028, 12, 26)],

        [(UkNation.Scotland, 2024)] = [D(2024, 1, 1), D(2024, 1, 2), D(2024, 3, 29), D(2024, 5, 6), D(2024, 5, 27), D(2024, 8, 5), D(2024, 12, 2), D(2024, 12, 25), D(2024, 12, 26)],
        [(UkNation.Scotland, 2025)] = [D(2025, 1, 1), D(2025, 1, 2), D(2025, 4, 18), D(2025, 5, 5), D(2025, 5, 26), D(2025, 8, 4), D(2025, 12, 1), D(2025, 12, 25), D(2025, 12, 26)],
        [(UkNation.Scotland, 2026)] = [D(2026, 1, 1), D(2026, 1, 2), D(2026, 4, 3), D(2026, 5, 4), D(2026, 5, 25), D(2026, 8, 3), D(2026, 11, 30), D(2026, 12, 25), D(2026, 12, 28)],
        [(UkNation.Scotland, 2027)] = [D(2027, 1, 1), D(2027, 1, 4), D(2027, 3, 26), D(2027, 5, 3), D(2027, 5, 31), D(2027, 8, 2), D(2027, 11, 30), D(2027, 12, 27), D(2027, 12, 28)],
        [(UkNation.Scotland, 2028)] = [D(2028, 1, 3), D(2028, 1, 4), D(2028, 4, 14), D(2028, 5, 1), D(2028, 5, 29), D(2028, 8, 7), D(2028, 11, 30), D(2028, 12, 25), D(2028, 12, 26)],

        [(UkNation.NorthernIreland, 2024)] = [D(2024, 1, 1), D(2024, 3, 18), D(2024, 3, 29), D(2024, 4, 1), D(2024, 5, 6), D(2024, 5, 27), D(2024, 7, 12), D(2024, 8, 26), D(2024, 12, 25), D(2024, 12, 26)],
        [(UkNation.NorthernIreland, 2025)] = [D(2025, 1, 1), D(2025, 3, 17), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26), D(2025, 7, 14), D(2025, 8, 25), D(2025, 12, 25), D(2025, 12, 26)],
        [(UkNation.NorthernIreland, 2026)] = [D(2026, 1, 1), D(2026, 3, 17), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25), D(2026, 7, 13), D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28)],
        [(UkNation.NorthernIreland, 2027)] = [D(2027, 1, 1), D(2027, 3, 17), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31), D(2027, 7, 12), D(2027, 8, 30), D(2027, 12, 27), D(2027, 12, 28)],
        [(UkNation.NorthernIreland, 2028)] = [D(2028, 1, 3), D(2028, 3, 17), D(2028, 4, 14), D(2028, 4, 17), D(2028, 5, 1), D(2028, 5, 29), D(2028, 7, 12), D(2028, 8, 28), D(2028, 12, 25), D(2028, 12, 26)],
    };

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(UkNation, int), HashSet<DateOnly>> Cache = new();

    public static bool IsHoliday(UkNation nation, DateOnly day) =>
        Cache.GetOrAdd((nation, day.Year), key => [.. Published.TryGetValue(key, out var list) ? list : ByRule(key.Item1, key.Item2)]).Contains(day);

    public static IReadOnlyList<DateOnly> For(UkNation nation, int year) =>
        Published.TryGetValue((nation, year), out var list) ? list : ByRule(nation, year);

    /// <summary>The holidays the rules give for a year, in date order.</summary>
    internal static DateOnly[] ByRule(UkNation nation, int year)
    {
        var taken = new List<DateOnly>();
        // A holiday on a weekend, or on a day another holiday already took, moves to the next free weekday.
        void Add(DateOnly day)
        {
            while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || taken.Contains(day))
            {
                day = day.AddDays(1);
            }
            taken.Add(day);
        }
        var easter = EasterSunday(year);
        Add(D(year, 1, 1));
        if (nation == UkNation.Scotland)
        {
            Add(D(year, 1, 2));
        }
        if (nation == UkNation.NorthernIreland)
        {
            Add(D(year, 3, 17));
        }
        taken.Add(easter.AddDays(-2));
        if (nation != UkNation.Scotland)
        {
            taken.Add(easter.AddDays(1));
        }
        taken.Add(FirstMonday(year, 5));
        taken.Add(LastMonday(year, 5));
        if (nation == UkNation.NorthernIreland)
        {
            Add(D(year, 7, 12));
        }
        taken.Add(nation == UkNation.Scotland ? FirstMonday(year, 8) : LastMonday(year, 8));
        if (nation == UkNation.Scotland)
        {
            Add(D(year, 11, 30));
        }
        Add(D(year, 12, 25));
        Add(D(year, 12, 26));
        return [.. taken.Order()];
    }

    private static DateOnly FirstMonday(int year, int month)
    {
        var day = D(year, month, 1);
        return day.AddDays(((int)DayOfWeek.Monday - (int)day.DayOfWeek + 7) % 7);
    }

    private static DateOnly LastMonday(int year, int month)
    {
        var day = D(year, month, DateTime.DaysInMonth(year, month));
        return day.AddDays(-(((int)day.DayOfWeek - (int)DayOfWeek.Monday + 7) % 7));
    }

    /// <summary>Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm).</summary>
    internal static DateOnly EasterSunday(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
        var h = (19 * a + b - d - g + 15) % 30;
        int i = c / 4, k = c % 4;
        var l = (32 + 2 * e + 2 * i - h - k) % 7;
        var m = (a + 11 * h + 22 * l) / 451;
        var month = (h + l - 7 * m + 114) / 31;
        var day = (h + l - 7 * m + 114) % 31 + 1;
        return D(year, month, day);
    }
}

/// <summary>
/// An organisation's working time: its opening hours on its open days, in UK time (GMT, or BST from the last Sunday
/// of March to the last Sunday of October, changing at 01:00 UTC), less its nation's bank holidays. Response times
/// count only this time, so a message on Friday evening answered on Monday at 10:00 took one hour.
/// </summary>
public sealed class BusinessCalendar
{
    private readonly UkNation _nation;
    private readonly int _opens;
    private readonly int _closes;
    private readonly int _openDays;

    /// <param name="opensAtMinute">Minutes after local midnight the organisation opens.</param>
    /// <param name="closesAtMinute">Minutes after local midnight it closes (after it opens).</param>
    /// <param name="openDays">Bit 0 is Monday … bit 6 is Sunday.</param>
    public BusinessCalendar(UkNation nation, int opensAtMinute, int closesAtMinute, int openDays)
    {
        if (opensAtMinute < 0 || closesAtMinute > 24 * 60 || closesAtMinute <= opensAtMinute || (openDays & 0x7F) == 0)
        {
            throw new ArgumentException("Opening hours must open before they close, on at least one day");
        }
        _nation = nation;
        _opens = opensAtMinute;
        _closes = closesAtMinute;
        _openDays = openDays & 0x7F;
    }

    public static int DayBit(DayOfWeek day) => 1 << (((int)day + 6) % 7);

    /// <summary>Whether the UK is on summer time at this instant.</summary>
    public static bool IsBritishSummerTime(DateTime utc)
    {
        var start = LastSunday(utc.Year, 3).ToDateTime(new TimeOnly(1, 0), DateTimeKind.Utc);
        var end = LastSunday(utc.Year, 10).ToDateTime(new TimeOnly(1, 0), DateTimeKind.Utc);
        return utc >= start && utc < end;
    }

    public static DateTime ToUkTime(DateTime utc) => IsBritishSummerTime(utc) ? utc.AddHours(1) : utc;

    private static DateTime FromUkTime(DateTime local)
    {
        var asBst = local.AddHours(-1);
        return IsBritishSummerTime(asBst) ? asBst : local;
    }

    private static DateOnly LastSunday(int year, int month)
    {
        var day = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        return day.AddDays(-(int)day.DayOfWeek);
    }

    public bool IsOpenDay(DateOnly day) => (_openDays & DayBit(day.DayOfWeek)) != 0 && !UkBankHolidays.IsHoliday(_nation, day);

    /// <summary>The day's open interval in UTC, or null when the organisation is closed that day.</summary>
    private (DateTime Start, DateTime End)? Opening(DateOnly day) => IsOpenDay(day)
        ? (FromUkTime(day.ToDateTime(TimeOnly.MinValue).AddMinutes(_opens)), FromUkTime(day.ToDateTime(TimeOnly.MinValue).AddMinutes(_closes)))
        : null;

    private static DateOnly UkDate(DateTime utc) => DateOnly.FromDateTime(ToUkTime(utc));

    /// <summary>Working time between two instants (zero when the second is not after the first).</summary>
    public TimeSpan Between(DateTime fromUtc, DateTime toUtc)
    {
        if (toUtc <= fromUtc)
        {
            return TimeSpan.Zero;
        }
        var total = TimeSpan.Zero;
        for (var day = UkDate(fromUtc); day <= UkDate(toUtc); day = day.AddDays(1))
        {
            if (Opening(day) is { } open)
            {
                var start = open.Start > fromUtc ? open.Start : fromUtc;
                var end = open.End < toUtc ? open.End : toUtc;
                if (end > start)
                {
                    total += end - start;
                }
            }
        }
        return total;
    }

    /// <summary>The instant that lies <paramref name="working"/> working time after <paramref name="fromUtc"/>: when a target falls due.</summary>
    public DateTime Add(DateTime fromUtc, TimeSpan working)
    {
        var left = working;
        var day = UkDate(fromUtc);
        for (var guard = 0; guard < 3700; guard++, day = day.AddDays(1))
        {
            if (Opening(day) is not { } open)
            {
                continue;
            }
            var start = open.Start > fromUtc ? open.Start : fromUtc;
            if (open.End <= start)
            {
                continue;
            }
            if (open.End - start >= left)
            {
                return start + left;
            }
            left -= open.End - start;
        }
        return DateTime.MaxValue;
    }

    /// <summary>
    /// The instant that lies <paramref name="working"/> working time before <paramref name="toUtc"/>: anything received
    /// before it and still unanswered at <paramref name="toUtc"/> has waited longer than that.
    /// </summary>
    public DateTime Subtract(DateTime toUtc, TimeSpan working)
    {
        var left = working;
        var day = UkDate(toUtc);
        for (var guard = 0; guard < 3700; guard++, day = day.AddDays(-1))
        {
            if (Opening(day) is not { } open)
            {
                continue;
            }
            var end = open.End < toUtc ? open.End : toUtc;
            if (end <= open.Start)
            {
                continue;
            }
            if (end - open.Start >= left)
            {
                return end - left;
            }
            left -= end - open.Start;
        }
        return DateTime.MinValue;
    }
}
