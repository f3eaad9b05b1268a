using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Drawbridge.Safety.Tests;

public sealed class CorpusAccuracyTests(ITestOutputHelper output)
{
    // The corpus was written with this day in mind ("I'm 40, born 19 October 1985").
    private static readonly DateOnly Today = new(2025, 11, 26);

    [Fact]
    public void Corpus_has_at_least_300_posts_with_hard_negatives()
    {
        var posts = LabelledCorpus.Load();
        Assert.True(posts.Count >= 300, $"corpus has {posts.Count} posts");
        Assert.True(posts.Count(p => p.Spans.Count == 0) >= 100, "at least 100 posts should have nothing to find");
    }

    [Theory]
    [InlineData("posts.txt", 10)]
    [InlineData("holdout.txt", 2)]
    [InlineData("fresh.txt", 2)]
    public void Precision_and_recall_meet_the_targets_for_each_rule(string corpus, int minSupport)
    {
        var posts = LabelledCorpus.Load(corpus);
        var (scores, errors) = Scoring.Score(posts, Today);

        var table = new StringBuilder();
        table.AppendLine("| rule | support | precision | recall | exact spans |");
        table.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (rule, s) in scores.Where(kv => kv.Value.Support > 0 || kv.Value.FalsePositives > 0))
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {rule} | {s.Support} | {s.Precision:0.000} | {s.Recall:0.000} | {s.ExactSpans} |");
        }
        output.WriteLine(table.ToString());
        foreach (var e in errors)
        {
            output.WriteLine(e);
        }
        var report = Environment.GetEnvironmentVariable("DRAWBRIDGE_SAFETY_REPORT");
        if (!string.IsNullOrEmpty(report))
        {
            File.WriteAllText(report + "." + corpus, table + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }

        var targets = new Dictionary<string, double>
        {
            [SafetyRules.NhsNumber] = 0.95,
            [SafetyRules.ChiNumber] = 0.95,
            [SafetyRules.HealthAndCareNumber] = 0.95,
            [SafetyRules.Postcode] = 0.95,
            [SafetyRules.Email] = 0.95,
            [SafetyRules.DateOfBirth] = 0.95,
            [SafetyRules.Phone] = 0.85,
            [SafetyRules.PersonName] = 0.70,
            [SafetyRules.IndividualAdvice] = 0.80,
        };
        var failures = new List<string>();
        foreach (var (rule, target) in targets)
        {
            var s = scores[rule];
            if (s.Support < minSupport)
            {
                Assert.True(s.FalsePositives == 0, $"{rule}: {s.FalsePositives} false findings in {corpus}");
                continue;
            }
            if (s.Precision < target || s.Recall < target)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{rule}: precision {s.Precision:0.000}, recall {s.Recall:0.000}, target {target:0.00}"));
            }
        }
        Assert.True(failures.Count == 0, string.Join("; ", failures));
    }
}
