using System.Text;
using Drawbridge.Insights;

namespace Drawbridge.Insights.Tests;

/// <summary>The generated feedback fixture, the frameworks in the repository, and small data sets built from them.</summary>
internal static class TestData
{
    /// <summary>The generated feedback file every test reads (<see cref="FeedbackFixture"/>), in the development data's layout.</summary>
    public static string TextData => FeedbackFixture.Path;

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("repository root not found");
        }
    }

    public static Framework Categories => Framework.Load(Path.Combine(RepositoryRoot, "src", "Drawbridge.Insights", "Frameworks", "phase1-categories.json"));

    public static Framework Subcategories => Framework.Load(Path.Combine(RepositoryRoot, "src", "Drawbridge.Insights", "Frameworks", "phase1-subcategories.json"));

    private static readonly Lazy<IReadOnlyList<FeedbackRow>> CategoryRows = new(() => FeedbackCsv.ReadLabelled(TextData, Categories).Rows);

    public static IReadOnlyList<FeedbackRow> CategoryRowsSample(int count, int seed)
    {
        var rows = CategoryRows.Value.ToArray();
        new Random(seed).Shuffle(rows);
        return rows.Take(count).ToList();
    }

    /// <summary>
    /// A multi-label data set in the 0/1-column layout, made from the fixture: some comments are joined in pairs, so
    /// those carry the categories of both halves, and sentiment is moved to a 1..5 scale with 1 most positive.
    /// </summary>
    public static (Framework Framework, string Csv) MultiLabelCsv(int comments, int seed)
    {
        var categories = Categories;
        var framework = new Framework
        {
            Name = "test-multilabel",
            Version = "3",
            IdColumn = "Comment ID",
            TextColumn = "FFT answer",
            Themes = categories.Themes.Select(t => new ThemeDefinition { Id = t.Id, Name = t.Name, Column = t.Name + ", 0/1" }).ToList(),
            Sentiment = new SentimentScale { Column = "Comment sentiment", Min = 1, Max = 5, MostPositive = 1 },
        };
        var source = CategoryRowsSample(comments * 2, seed).Where(r => r.Sentiment is not null && r.Themes.Count == 1).ToList();
        var random = new Random(seed);
        var csv = new StringBuilder();
        csv.Append("\"Comment ID\",\"FFT answer\",");
        csv.Append(string.Join(",", framework.Themes.Select(t => Quote(t.Column!))));
        csv.Append(",\"Comment sentiment\"\n");
        var used = 0;
        for (var id = 1; id <= comments && used < source.Count; id++)
        {
            var first = source[used++];
            var labels = new HashSet<int>(first.Themes);
            var text = first.Text;
            var sentiment = first.Sentiment!.Value;
            if (random.NextDouble() < 0.35 && used < source.Count)
            {
                var second = source[used++];
                labels.UnionWith(second.Themes);
                text = text.TrimEnd('.') + ". Also: " + second.Text;
                sentiment = Math.Min(sentiment, second.Sentiment!.Value);
            }
            // -5..5 (5 positive) to 1..5 (1 positive): 5,4 -> 1; 3,2,1 -> 2; 0 -> 3; -1,-2 -> 4; below -> 5.
            var scaled = sentiment >= 4 ? 1 : sentiment >= 1 ? 2 : sentiment == 0 ? 3 : sentiment >= -2 ? 4 : 5;
            csv.Append(id).Append(',').Append(Quote(text)).Append(',');
            csv.Append(string.Join(",", Enumerable.Range(0, framework.Themes.Count).Select(t => labels.Contains(t) ? "1" : "0")));
            csv.Append(',').Append(scaled).Append('\n');
        }
        return (framework, csv.ToString());
    }

    public static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string TempFile(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "drawbridge-insights-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }
}

/// <summary>One MiniLM session for the whole test run: loading it takes a second.</summary>
public sealed class EmbedderFixture : IDisposable
{
    private readonly MiniLmEmbedder _inner = new();

    public EmbedderFixture() => Embedder = new CachingEmbedder(_inner);

    public CachingEmbedder Embedder { get; }

    public void Dispose() => _inner.Dispose();
}

[CollectionDefinition("embedder")]
public sealed class EmbedderCollection : ICollectionFixture<EmbedderFixture>;
