using Drawbridge.Insights;

namespace Drawbridge.Insights.Tests;

public sealed class FrameworkTests
{
    [Fact]
    public void Reads_a_multi_label_framework_with_a_sentiment_scale()
    {
        var framework = Framework.Parse("""
            {"name": "Trust X", "version": "6", "idColumn": "Comment ID", "textColumn": "FFT answer",
             "themes": [{"id": "staff-manner", "name": "Staff manner & personal attributes", "column": "Staff manner & personal attributes"}],
             "sentiment": {"column": "Comment sentiment", "min": 1, "max": 5, "mostPositive": 1}}
            """);
        Assert.Equal("Trust X", framework.Name);
        Assert.Equal("6", framework.Version);
        Assert.False(framework.IsSingleLabel);
        Assert.Equal("Staff manner & personal attributes", framework.Themes[0].Column);
        Assert.Equal(1, framework.Sentiment!.MostPositive);
    }

    [Fact]
    public void The_shipped_development_frameworks_are_single_label_with_criticality()
    {
        var subcategories = TestData.Subcategories;
        Assert.True(subcategories.IsSingleLabel);
        Assert.Equal("subcategory", subcategories.LabelColumn);
        Assert.True(subcategories.Themes.Count >= 44);
        Assert.Equal(9, TestData.Categories.Themes.Count);
        Assert.Equal(new SentimentScale { Column = "criticality", Min = -5, Max = 5, MostPositive = 5 }, subcategories.Sentiment);
    }

    [Theory]
    [InlineData("""{"version": "1", "textColumn": "t", "themes": [{"id": "a", "column": "a"}]}""", "name")]
    [InlineData("""{"name": "n", "version": "1", "textColumn": "t", "themes": []}""", "at least one theme")]
    [InlineData("""{"name": "n", "version": "1", "textColumn": "t", "themes": [{"id": "a"}]}""", "needs a \"column\"")]
    [InlineData("""{"name": "n", "version": "1", "textColumn": "t", "labelColumn": "l", "themes": [{"id": "a"}]}""", "needs a \"value\"")]
    [InlineData("""{"name": "n", "version": "1", "textColumn": "t", "themes": [{"id": "a", "column": "a"}, {"id": "a", "column": "b"}]}""", "appears twice")]
    [InlineData("""{"name": "n", "version": "1", "textColumn": "t", "themes": [{"id": "a", "column": "a"}], "sentiment": {"column": "s", "min": 1, "max": 5, "mostPositive": 3}}""", "mostPositive")]
    [InlineData("""{"name": "n", """, "not a valid framework")]
    public void A_bad_framework_is_refused_with_the_problem_named(string json, string expected)
    {
        var error = Assert.Throws<InsightsException>(() => Framework.Parse(json));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5, SentimentClass.Positive)]
    [InlineData(1, SentimentClass.Positive)]
    [InlineData(0, SentimentClass.MixedOrNeutral)]
    [InlineData(-1, SentimentClass.Negative)]
    [InlineData(-5, SentimentClass.Negative)]
    public void Criticality_minus5_to_5_maps_to_three_classes(int value, SentimentClass expected)
    {
        var scale = new SentimentScale { Column = "criticality", Min = -5, Max = 5, MostPositive = 5 };
        Assert.Equal(expected, scale.ClassOf(value));
    }

    [Theory]
    [InlineData(1, SentimentClass.Positive)]
    [InlineData(2, SentimentClass.Positive)]
    [InlineData(3, SentimentClass.MixedOrNeutral)]
    [InlineData(4, SentimentClass.Negative)]
    [InlineData(5, SentimentClass.Negative)]
    public void A_1_to_5_scale_with_1_most_positive_maps_to_three_classes(int value, SentimentClass expected)
    {
        var scale = new SentimentScale { Column = "s", Min = 1, Max = 5, MostPositive = 1 };
        Assert.Equal(expected, scale.ClassOf(value));
    }
}
