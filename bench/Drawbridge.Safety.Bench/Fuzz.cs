using System.Diagnostics;
using System.Globalization;
using System.Text;
using PhoneNumbers;

namespace Drawbridge.Safety.Bench;

/// <summary>
/// Generated input through the whole check: corpus posts mutated at random, posts built from the pieces each
/// rule reacts to (phone numbers of every country in many layouts, names, dates, identifiers), and random
/// Unicode. Counts exceptions and findings whose offsets fall outside the text; both must be 0.
/// </summary>
internal static class Fuzz
{
    public static int Run(int count, int seed)
    {
        var random = new Random(seed);
        var pieces = Pieces();
        var posts = Texts.Posts;
        long findings = 0, chars = 0;
        var exceptions = 0;
        var badSpans = 0;
        var slowest = 0.0;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var text = (i % 3) switch
            {
                0 => Mutate(posts[random.Next(posts.Length)], random),
                1 => Build(pieces, random),
                _ => RandomUnicode(random),
            };
            chars += text.Length;
            var t0 = Stopwatch.GetTimestamp();
            try
            {
                var found = SafetyChecker.Check(text, new SafetyContext { HasImages = (i & 7) == 0 });
                foreach (var f in found)
                {
                    if (f.Start < 0 || f.End > text.Length || f.End < f.Start || string.IsNullOrEmpty(f.Message))
                    {
                        badSpans++;
                    }
                }
                findings += found.Count;
            }
            catch (Exception e)
            {
                exceptions++;
                if (exceptions <= 5)
                {
                    Console.WriteLine($"EXCEPTION on input {i}: {e.GetType().Name}: {e.Message}\n{Escape(text)}");
                }
            }
            slowest = Math.Max(slowest, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fuzz: {count:N0} generated inputs (seed {seed}), {chars:N0} characters, {findings:N0} findings in {sw.Elapsed.TotalSeconds:0.0} s; " +
            $"exceptions {exceptions}, findings outside their text {badSpans}; slowest input {slowest:0.0} ms"));
        return exceptions == 0 && badSpans == 0 ? 0 : 1;
    }

    private static string Escape(string s) => s.Length > 300 ? s[..300] + "…" : s;

    private static string[] Pieces()
    {
        var util = PhoneNumberUtil.GetInstance();
        var list = new List<string>
        {
            "943 476 5919", "0101011237", "+44 7700 900123", "07700 900123", "(0)", "+", "(", ")", "-", ".", "/", ":", "@", "#", "£", "€",
            "jo@example.com", "LS6 2QT", "14 Acacia Avenue", "DOB ", "born ", "12/03/1987", "2024-03-15", "15.03.2024", "07:30", "v2.3.1",
            "500 mg 3 times a day", "NHS 111", "0800 1111", "1-800-273-8255", "ISBN 978-0-306-40615-7", "Mr ", "Dr. ", "Hi ", "Dear ",
            "Kind regards\n", "Thanks,\n", "my neighbour ", "Priya", "Okafor", "O'Neill", "Al-Sayed", "Ayşe", "Tân Long Đinh", "Jun-seo",
            "Royal Free Hospital", "Metformin", "Monday", "March", " ", "  ", "\n", "\t", "\u00A0", "\u2013", "\u200b", "é", "🎉", "\ud83c",
            "\udf89", "\u0000", "0", "1", "9", "00", "000000000000000000000", "1234567890", ",", ";", "!", "?", "…", "'", "\u2019",
        };
        foreach (var region in util.GetSupportedRegions())
        {
            foreach (var type in new[] { PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE })
            {
                var n = util.GetExampleNumberForType(region, type);
                if (n is null)
                {
                    continue;
                }
                list.Add(util.Format(n, PhoneNumberFormat.INTERNATIONAL));
                list.Add(util.Format(n, PhoneNumberFormat.NATIONAL));
                list.Add(util.Format(n, PhoneNumberFormat.E164));
                list.Add(util.Format(n, PhoneNumberFormat.NATIONAL).Replace(' ', '.'));
            }
        }
        return [.. list];
    }

    private static string Build(string[] pieces, Random random)
    {
        var sb = new StringBuilder();
        var n = random.Next(1, 40);
        for (var k = 0; k < n; k++)
        {
            sb.Append(pieces[random.Next(pieces.Length)]);
            if (random.Next(3) == 0)
            {
                sb.Append(' ');
            }
        }
        return sb.ToString();
    }

    private static string Mutate(string post, Random random)
    {
        var chars = new StringBuilder(post);
        var edits = random.Next(1, 12);
        for (var k = 0; k < edits; k++)
        {
            var at = chars.Length == 0 ? 0 : random.Next(chars.Length);
            switch (random.Next(4))
            {
                case 0 when chars.Length > 0:
                    chars.Remove(at, Math.Min(random.Next(1, 6), chars.Length - at));
                    break;
                case 1:
                    chars.Insert(at, (char)random.Next(0, 0x3000));
                    break;
                case 2:
                    chars.Insert(at, random.Next(0, 1_000_000_000).ToString(CultureInfo.InvariantCulture));
                    break;
                default:
                    if (chars.Length > 0)
                    {
                        chars[at] = "0123456789 +-().,/:\n'"[random.Next(21)];
                    }
                    break;
            }
        }
        return chars.ToString();
    }

    private static string RandomUnicode(Random random)
    {
        var length = random.Next(0, random.Next(2) == 0 ? 80 : 2000);
        var sb = new StringBuilder(length);
        for (var k = 0; k < length; k++)
        {
            sb.Append(random.Next(4) switch
            {
                0 => (char)random.Next(0x20, 0x7F),
                1 => (char)random.Next('0', '9' + 1),
                2 => (char)random.Next(0, 0x10000),
                _ => ' ',
            });
        }
        return sb.ToString();
    }
}
