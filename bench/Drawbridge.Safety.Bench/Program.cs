using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Drawbridge.Safety.Bench;

// dotnet run -c Release -- profile   : time each rule on 1 MB of posts (quick, no BenchmarkDotNet)
// dotnet run -c Release -- latency   : p50/p99 of one 1,000-character post, and 1 MB in one go
// dotnet run -c Release -- fuzz [count] : generated inputs through the check (default 100,000): 0 exceptions expected
// dotnet run -c Release -- [BenchmarkDotNet args] : the benchmarks (e.g. --filter * --job short)
if (args.Length > 0 && args[0] == "profile")
{
    RuleProfile.Run();
    return 0;
}
if (args.Length > 0 && args[0] == "fuzz")
{
    return Fuzz.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000, 27);
}
if (args.Length > 0 && args[0] == "throughput")
{
    Throughput.Run();
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

    /// <summary>
    /// Batch throughput per core: characters checked per second of this process's CPU time (one thread),
    /// and per second of wall time. CPU time is the fairer figure on a machine shared with other work.
    /// </summary>
    internal static class Throughput
    {
        public static void Run()
        {
            foreach (var (name, batch) in new[] { ("corpus posts", Texts.Posts), ("patient feedback", Texts.Feedback) })
            {
                long chars = batch.Sum(p => (long)p.Length);
                // Warm up until the JIT has settled.
                var warm = Stopwatch.StartNew();
                while (warm.Elapsed < TimeSpan.FromSeconds(2))
                {
                    foreach (var p in batch)
                    {
                        SafetyChecker.Check(p);
                    }
                }
                var proc = Process.GetCurrentProcess();
                var cpu0 = proc.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                long done = 0;
                while (sw.Elapsed < TimeSpan.FromSeconds(5))
                {
                    foreach (var p in batch)
                    {
                        SafetyChecker.Check(p);
                    }
                    done += chars;
                }
                proc.Refresh();
                var cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds;
                var wall = sw.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: {batch.Length} texts, {chars} chars; {done / 1e6 / cpu:0.0} MB/s per CPU-second, {done / 1e6 / wall:0.0} MB/s wall (1 char = 1 byte of ASCII text)"));
            }
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
            using var tokens = new TokenizedText(text);
            var total = 0.0;
            // Short posts dense with findings: per-call costs dominate here.
            var posts = Texts.Posts.Select(p => new TokenizedText(p)).ToArray();
            foreach (var (name, run) in rules)
            {
                var best = double.MaxValue;
                for (var round = 0; round < 30; round++)
                {
                    var t = Stopwatch.GetTimestamp();
                    foreach (var p in posts)
                    {
                        run(new Rules.Scan(p, SafetyContext.Default, []));
                    }
                    best = Math.Min(best, Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
                Console.WriteLine($"  posts {name,-18} {best * 1000 / posts.Length,8:0.00} us per post (best of 30)");
            }
            var wholeBest = double.MaxValue;
            for (var round = 0; round < 30; round++)
            {
                var t = Stopwatch.GetTimestamp();
                foreach (var p in Texts.Posts)
                {
                    SafetyChecker.Check(p);
                }
                wholeBest = Math.Min(wholeBest, Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
            Console.WriteLine($"  posts whole check      {wholeBest * 1000 / posts.Length,8:0.00} us per post (best of 30)");
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
