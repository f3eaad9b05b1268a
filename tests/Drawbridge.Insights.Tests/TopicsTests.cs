using Drawbridge.Insights;

namespace Drawbridge.Insights.Tests;

[Collection("embedder")]
public sealed class TopicsTests(EmbedderFixture fixture)
{
    [Fact]
    public void Groups_of_similar_comments_are_found_and_named_by_their_words()
    {
        var texts = FeedbackCsv.ReadTexts(TestData.TextData, "feedback").Rows.Select(r => r.Text).ToList();
        List<string> About(string word) => texts.Where(t => t.Contains(word, StringComparison.OrdinalIgnoreCase) && t.Length < 200).Take(40).ToList();
        var parking = About("parking");
        var food = About("food");
        var sample = parking.Concat(food).ToList();
        var result = EmergingTopics.Find(sample, fixture.Embedder, options: new TopicOptions { Clusters = 2, MinSize = 5 });
        Assert.Equal(2, result.Topics.Count);
        Assert.Contains(result.Topics, t => t.Keywords.Any(k => k.Contains("parking", StringComparison.Ordinal)));
        Assert.Contains(result.Topics, t => t.Keywords.Any(k => k.Contains("food", StringComparison.Ordinal)));
        Assert.All(result.Topics, t => Assert.NotEmpty(t.Examples));
        // Each topic lists its comments, most typical first, as positions in the list given.
        Assert.Equal(sample.Count, result.Topics.Sum(t => t.Comments.Count));
        Assert.All(result.Topics, t =>
        {
            Assert.Equal(t.Count, t.Comments.Count);
            Assert.Equal(t.Examples[0], sample[t.Comments[0]]);
        });
        var aboutParking = result.Topics.Single(t => t.Keywords.Any(k => k.Contains("parking", StringComparison.Ordinal)));
        var parkingShare = aboutParking.Comments.Count(i => parking.Contains(sample[i])) / (double)aboutParking.Count;
        Assert.True(parkingShare >= 0.8, $"the parking topic's comments are parking comments ({parkingShare:P0})");
        // Without a model, nothing is measured against a framework.
        Assert.All(result.Topics, t => Assert.Null(t.NearestTheme));
    }

    [Fact]
    public void Redaction_marks_do_not_name_a_topic()
    {
        // Exports replace names with marks like "XXXX"; here one ends every parking comment, as common there as "parking".
        var texts = FeedbackCsv.ReadTexts(TestData.TextData, "feedback").Rows.Select(r => r.Text).ToList();
        var parking = texts.Where(t => t.Contains("parking", StringComparison.OrdinalIgnoreCase) && t.Length < 200).Take(40)
            .Select(t => t + " (XXXX)").ToList();
        var food = texts.Where(t => t.Contains("food", StringComparison.OrdinalIgnoreCase) && !t.Contains("parking", StringComparison.OrdinalIgnoreCase) && t.Length < 200).Take(40).ToList();
        var result = EmergingTopics.Find([.. parking, .. food], fixture.Embedder, options: new TopicOptions { Clusters = 2, MinSize = 5 });
        Assert.Equal(2, result.Topics.Count);
        Assert.Contains(result.Topics, t => t.Keywords.Contains("parking"));
        Assert.All(result.Topics.SelectMany(t => t.Keywords), k => Assert.DoesNotContain("xxxx", k, StringComparison.Ordinal));
    }

    [Fact]
    public void Only_comments_no_theme_claims_are_clustered_when_a_model_is_given()
    {
        var rows = TestData.CategoryRowsSample(1500, seed: 12);
        var model = InsightsTrainer.Train(TestData.Categories, rows, null, new TrainingOptions { UseEmbeddings = false });
        var classifier = new FeedbackClassifier(model, null);
        var texts = TestData.CategoryRowsSample(400, seed: 13).Select(r => r.Text).ToList();
        var covered = classifier.CoversMany(texts);
        Assert.True(classifier.Covers("Nothing to improve"));
        var uncovered = texts.Where((_, i) => !covered[i]).ToHashSet();
        Assert.NotEmpty(uncovered);
        Assert.True(uncovered.Count < texts.Count);

        var result = EmergingTopics.Find(texts, fixture.Embedder, classifier, new TopicOptions { MinSize = 3 });
        Assert.Equal(covered.Count(c => !c), result.Uncovered);
        Assert.NotEmpty(result.Topics);
        Assert.All(result.Topics.SelectMany(t => t.Examples), e => Assert.Contains(e, uncovered));
        Assert.All(result.Topics.SelectMany(t => t.Comments), i => Assert.False(covered[i]));

        // Each topic says how far its comments are from the themes, and which theme they came closest to; the
        // furthest come first (novelty times size), as a theme's near misses are less often something new.
        var coverage = classifier.CoverageMany(texts);
        var names = TestData.Categories.Themes.Select(t => t.Name).ToHashSet();
        foreach (var topic in result.Topics)
        {
            Assert.Equal(topic.Comments.Average(i => 1.0 - coverage[i].Share), topic.Novelty, 1e-4);
            Assert.InRange(topic.Novelty, 0, 1);
            Assert.Contains(topic.NearestTheme!, names);
            var nearest = TestData.Categories.Themes.ToList().FindIndex(t => t.Name == topic.NearestTheme);
            Assert.Equal(topic.NearestShare, topic.Comments.Count(i => coverage[i].Theme == nearest) / (double)topic.Count, 1e-9);
            Assert.True(topic.Comments.All(i => topic.Comments.Count(j => coverage[j].Theme == coverage[i].Theme) <= topic.NearestShare * topic.Count + 1e-9));
        }
        var weights = result.Topics.Select(t => t.Novelty * t.Count).ToList();
        Assert.Equal(weights.OrderByDescending(w => w), weights);

        // Leaving out the comments a theme nearly claimed leaves fewer, further ones.
        var far = EmergingTopics.Find(texts, fixture.Embedder, classifier, new TopicOptions { MinSize = 3, MaxCoverage = 0.5f });
        Assert.All(far.Topics.SelectMany(t => t.Comments), i => Assert.True(coverage[i].Share < 0.5f));
        Assert.Equal(result.Uncovered, far.Uncovered);
    }
}
