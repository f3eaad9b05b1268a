using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Drawbridge.Safety.Tests;

/// <summary>Random and adversarial text thrown at every rule: no exceptions, sane spans, bounded time.</summary>
public sealed class RobustnessTests
{
    // Pieces that each rule reacts to, so random strings reach deep into every rule.
    private static readonly string[] Pieces =
    [
        "943 476 5919", "9434765919", "0101011237", "3275116371", "+44 7700 900123", "07700 900123", "+", "(", ")", "-", "/", ".",
        "@", "@@", "jo@example.com", "a@b", "LS6 2QT", "sw1a 1aa", "14 Acacia Avenue", "Flat 3, ", "DOB", "born ", "12/03/1987",
        "3 March 1952", "aged 40", "Mr ", "Mrs ", "Dr. ", "Priya", "Okafor", "O'Neill", "Al-Sayed", "Ayşe", "St ", "called ",
        "my patient ", "you should stop your sertraline", "take 400mg", "If I were you I'd ", "miracle cure", "100% safe", "no cure",
        "hospital number ", "MRN: ", "RX1234567", " ", "  ", "\n", "\t", "'", "\u2019", "é", "🎉", "\ud83c", "\udf89", "\u0000", "\u200b",
        "0", "1", "9", "00", "999", "111", "a", "Z", "ward 7", "bay 4", "yesterday", "stroke", ",", ";", "!", "?", "#", "…",
    ];

    private static Gen<string> Adversarial =>
        Gen.Elements(Pieces).ListOf().Select(parts => string.Concat(parts));

    private static void AssertSane(string text)
    {
        var findings = SafetyChecker.Check(text, new SafetyContext { HasImages = text.Length % 2 == 0 });
        foreach (var f in findings)
        {
            Assert.InRange(f.Start, 0, text.Length);
            Assert.InRange(f.End, f.Start, text.Length);
            Assert.Contains(f.Rule, SafetyRules.All);
            Assert.False(string.IsNullOrEmpty(f.Message));
        }
    }

    [Fact]
    public void Random_text_never_breaks_a_rule()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), text =>
        {
            if (text is not null)
            {
                AssertSane(text);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Fact]
    public void Adversarial_text_built_from_rule_triggers_never_breaks_a_rule()
    {
        Prop.ForAll(Arb.From(Adversarial), AssertSane).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Theory]
    [InlineData("9")]
    [InlineData("9 ")]
    [InlineData("1-")]
    [InlineData("@a.")]
    [InlineData("Mr ")]
    [InlineData("Aa ")]
    [InlineData("you should take ")]
    [InlineData("hospital number 1")]
    [InlineData("12/")]
    [InlineData("a")]
    [InlineData("\ud83c")]
    public void Long_repetitive_input_is_checked_whole_with_sane_findings(string unit)
    {
        // Pathological repetition is where backtracking regexes blow up; its speed is measured by the safety bench
        // (`latency`, `profile`), not asserted here.
        var text = new StringBuilder().Insert(0, unit, 200_000 / unit.Length).ToString();
        AssertSane(text);
    }

    [Fact]
    public void A_one_megabyte_post_is_checked_whole()
    {
        var corpus = LabelledCorpus.Load().Select(p => p.Text).ToArray();
        var sb = new StringBuilder(1 << 20);
        for (var i = 0; sb.Length < 1 << 20; i++)
        {
            sb.Append(corpus[i % corpus.Length]).Append('\n');
        }
        var text = sb.ToString();
        var findings = SafetyChecker.Check(text);
        Assert.NotEmpty(findings);
        // Findings reach the end of the text, so nothing stopped part-way.
        Assert.Contains(findings, f => f.Start > text.Length / 2);
        AssertSane(text);
    }

    [Theory]
    [InlineData("\nO'Neill")]
    [InlineData("\n\nO'Neill")]
    [InlineData("Kind regards,\nO'Neill")]
    public void A_name_alone_on_a_line_near_the_start_is_checked_without_failing(string text) => AssertSane(text);

    [Fact]
    public void Checks_run_in_parallel_give_the_same_answers_as_one_at_a_time()
    {
        var posts = LabelledCorpus.Load().Select(p => p.Text).ToArray();
        var expected = posts.Select(p => SafetyChecker.Check(p)).ToArray();
        var actual = new IReadOnlyList<SafetyFinding>[posts.Length];
        Parallel.For(0, posts.Length * 4, i => actual[i % posts.Length] = SafetyChecker.Check(posts[i % posts.Length]));
        for (var i = 0; i < posts.Length; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }
}
