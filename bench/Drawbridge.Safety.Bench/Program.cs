using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Drawbridge.Safety.Bench;

// dotnet run -c Release -- profile   : time each rule on 1 MB of posts (quick, no BenchmarkDotNet)
// dotnet run -c Release -- latency   : p50/p99 of one 1,000-character post, and 1 MB in one go
// dotnet run -c Release -- [BenchmarkDotNet args] : the benchmarks (e.g. --filter * --job short)
if (args.Length > 0 && args[0] == "profile")
{
    RuleProfile.Run();
    return 0;
}
if (args.Length > 0 && args[0] == "latency")
{
    Latency.Run();
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(SafetyBenchmarks).Assembly).Run(args);
return 0;

namespace Drawbridge.Safety.Bench
{
    internal static class Latency
    {
        public static void Run()
        {
            var post = Texts.Post1000;
            for (var i = 0; i < 2000; i++)
            {
                SafetyChecker.Check(post);
            }
            var times = new double[20_000];
            for (var i = 0; i < times.Length; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                SafetyChecker.Check(post);
                times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
            Array.Sort(times);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"1,000-char post ({post.Length} chars): p50 {times[times.Length / 2]:0.000} ms, p99 {times[(int)(times.Length * 0.99)]:0.000} ms, max {times[^1]:0.000} ms"));
            var mb = Texts.OneMegabyte;
            SafetyChecker.Check(mb);
            var sw = Stopwatch.StartNew();
            SafetyChecker.Check(mb);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"1 MB input ({mb.Length} chars) in one call: {sw.Elapsed.TotalMilliseconds:0} ms"));
        }
    }

    internal static class RuleProfile
    {
        public static void Run()
        {
            var text = Texts.OneMegabyte;
            var rules = new (string Name, Action<Rules.Scan> Run)[]
            {
                ("patient-numbers", Rules.PatientNumbers.Run),
                ("hospital-number", Rules.HospitalNumbers.Run),
                ("email", Rules.EmailAddresses.Run),
                ("phone", Rules.Phones.Run),
                ("postcode", Rules.Locations.RunPostcodes),
                ("address", Rules.Locations.RunAddresses),
                ("date-of-birth", Rules.DatesOfBirth.Run),
                ("person-name", Rules.PersonNames.Run),
                ("individual-advice", Rules.IndividualAdvice.Run),
                ("one-sided-claim", Rules.OneSidedClaims.Run),
            };
            var rx = new System.Text.RegularExpressions.Regex(@"\G(?:[A-Z][0-9])", System.Text.RegularExpressions.RegexOptions.Compiled);
            for (var round = 0; round < 3; round++)
            {
                var t1 = Stopwatch.GetTimestamp();
                var hits = 0;
                for (var p = 0; p < text.Length; p += 5)
                {
                    hits += rx.Match(text, p).Success ? 1 : 0;
                }
                Console.WriteLine($"probe: {Stopwatch.GetElapsedTime(t1).TotalMilliseconds:0.0} ms for {text.Length / 5} anchored calls, {hits} hits");
            }
            using var tokens = new TokenizedText(text);
            {
                var cands = 0;
                var sc = new Rules.Scan(tokens, SafetyContext.Default, []);
                var t2 = Stopwatch.GetTimestamp();
                for (var k = 0; k < tokens.Count; k++)
                {
                    var t = tokens[k];
                    if (t.Kind == TokenKind.Word && t.Length is >= 2 and <= 7 && char.IsAsciiLetter(text[t.Start]) && tokens.Span(t).IndexOfAnyInRange('0', '9') > 0)
                    {
                        cands++;
                    }
                }
                Console.WriteLine($"postcode candidates {cands} in {Stopwatch.GetElapsedTime(t2).TotalMilliseconds:0.0} ms");
                var rx2 = new System.Text.RegularExpressions.Regex(@"\G(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?)[ ]?[0-9][ABD-HJLNP-UW-Z]{2}\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                for (var r = 0; r < 3; r++)
                {
                    t2 = Stopwatch.GetTimestamp();
                    var n = 0;
                    for (var k = 0; k < tokens.Count; k++)
                    {
                        var t = tokens[k];
                        if (t.Kind == TokenKind.Word && t.Length is >= 2 and <= 7 && char.IsAsciiLetter(text[t.Start]) && tokens.Span(t).IndexOfAnyInRange('0', '9') > 0)
                        {
                            n += rx2.Match(text, t.Start).Success ? 1 : 0;
                        }
                    }
                    Console.WriteLine($"postcode regex-with-timeout {n} in {Stopwatch.GetElapsedTime(t2).TotalMilliseconds:0.0} ms");
                }
            }
            {
                var sc = new Rules.Scan(tokens, SafetyContext.Default, []);
                var rx3 = new System.Text.RegularExpressions.Regex(@"\G(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?)[ ]?[0-9][ABD-HJLNP-UW-Z]{2}\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                for (var r = 0; r < 3; r++)
                {
                    var t3 = Stopwatch.GetTimestamp();
                    var n = 0;
                    foreach (var m in sc.MatchesAt(rx3, static (tt, t) => t.Kind == TokenKind.Word && t.Length is >= 2 and <= 7 && char.IsAsciiLetter(tt.Text[t.Start]) && tt.Span(t).IndexOfAnyInRange('0', '9') > 0))
                    {
                        n++;
                    }
                    Console.WriteLine($"MatchesAt enumeration {n} in {Stopwatch.GetElapsedTime(t3).TotalMilliseconds:0.0} ms");
                }
            }
            var total = 0.0;
            foreach (var (name, run) in rules)
            {
                var best = double.MaxValue;
                var count = 0;
                for (var round = 0; round < 15; round++)
                {
                    var scan = new Rules.Scan(tokens, SafetyContext.Default, []);
                    var t = Stopwatch.GetTimestamp();
                    run(scan);
                    best = Math.Min(best, Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                    count = scan.Findings.Count;
                }
                total += best;
                Console.WriteLine($"  {name,-18} {best,8:0.0} ms (best of 15)  {count} findings");
            }
            Console.WriteLine($"  {"all rules",-18} {total,8:0.0} ms for {text.Length * 2 / 1e6:0.0} MB");
        }
    }
}
