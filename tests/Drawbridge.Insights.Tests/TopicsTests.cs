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
    }
}
