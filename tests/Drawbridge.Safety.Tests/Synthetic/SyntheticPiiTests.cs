using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Drawbridge.Safety.Tests.Synthetic;

/// <summary>
/// Phone numbers of many countries and people's names from many cultures in everyday sentences, with hard
/// negatives: the synthetic set's development split (tuned on) and held-out split (measured only).
/// </summary>
public sealed class SyntheticPiiTests(ITestOutputHelper output)
{
    private const int Posts = 3000;

    [Theory]
    [InlineData(SyntheticSplit.Development)]
    [InlineData(SyntheticSplit.HeldOut)]
    public void Phones_and_names_meet_the_targets(SyntheticSplit split)
    {
        var posts = SyntheticPii.Generate(split, Posts);
        var (scores, errors) = Scoring.Score(posts, new DateOnly(2026, 12, 5));
        var phone = scores[SafetyRules.Phone];
        var name = scores[SafetyRules.PersonName];
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"{split}: {posts.Count} posts");
        report.AppendLine(CultureInfo.InvariantCulture, $"phone: support {phone.Support}, precision {phone.Precision:0.000}, recall {phone.Recall:0.000}");
        report.AppendLine(CultureInfo.InvariantCulture, $"person-name: support {name.Support}, precision {name.Precision:0.000}, recall {name.Recall:0.000}");
        output.WriteLine(report.ToString());
        var relevant = errors.Where(e => e.Contains(" phone ", StringComparison.Ordinal) || e.Contains(" person-name ", StringComparison.Ordinal)).ToList();
        foreach (var e in relevant.Take(400))
        {
            output.WriteLine(e);
        }
        var file = Environment.GetEnvironmentVariable("DRAWBRIDGE_SAFETY_REPORT");
        if (!string.IsNullOrEmpty(file))
        {
            File.WriteAllText(file + "." + split, report + string.Join(Environment.NewLine, relevant));
        }

        Assert.True(phone.Support >= 1000, $"phone support {phone.Support}");
        Assert.True(name.Support >= 1000, $"name support {name.Support}");
        Assert.True(phone.Recall >= 0.90 && phone.Precision >= 0.95, $"phone: precision {phone.Precision:0.000}, recall {phone.Recall:0.000}; targets 0.95 and 0.90");
        Assert.True(name.Recall >= 0.75 && name.Precision >= 0.85, $"person-name: precision {name.Precision:0.000}, recall {name.Recall:0.000}; targets 0.85 and 0.75");
    }

    [Fact]
    public void The_two_splits_share_no_post()
    {
        var dev = SyntheticPii.Generate(SyntheticSplit.Development, Posts).Select(p => p.Text).ToHashSet(StringComparer.Ordinal);
        var held = SyntheticPii.Generate(SyntheticSplit.HeldOut, Posts);
        Assert.True(held.Count(p => dev.Contains(p.Text)) < Posts / 100);
    }
}
