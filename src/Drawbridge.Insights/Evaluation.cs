using System.Globalization;
using System.Text;

namespace Drawbridge.Insights;

public sealed record ThemeScore(string Id, string Name, int Support, int TrainingExamples, bool Learned, int TruePositives, int FalsePositives, int FalseNegatives)
{
    public double Precision => TruePositives + FalsePositives == 0 ? 0 : (double)TruePositives / (TruePositives + FalsePositives);
    public double Recall => TruePositives + FalseNegatives == 0 ? 0 : (double)TruePositives / (TruePositives + FalseNegatives);
    public double F1 => 2.0 * TruePositives + FalsePositives + FalseNegatives == 0 ? 0 : 2.0 * TruePositives / (2.0 * TruePositives + FalsePositives + FalseNegatives);
}

/// <summary>
/// How well predictions match labels. Macro-F1 is given over every theme that occurs in the labels and over the themes
/// with enough training examples to have been learned ("learned themes").
/// </summary>
public sealed record EvaluationReport(
    int Comments,
    IReadOnlyList<ThemeScore> Themes,
    double MicroF1,
    double MacroF1,
    double MacroF1Learned,
    int SentimentLabelled,
    double? SentimentExact,
    double? SentimentThreeClass,
    int[,]? SentimentConfusion)
{
    /// <summary>Examples (in training, or in the file evaluated) from which themes get a macro-F1 line of their own: rarer themes' F1 is mostly noise.</summary>
    public const int FrequentTheme = 50;

    /// <summary>The themes present here that had at least <see cref="FrequentTheme"/> training examples.</summary>
    public IEnumerable<ThemeScore> FrequentThemes => Themes.Where(t => t.Support > 0 && t.Learned && t.TrainingExamples >= FrequentTheme);

    /// <summary>Macro-F1 over <see cref="FrequentThemes"/>; null when there are none.</summary>
    public double? MacroF1Frequent => FrequentThemes.Any() ? FrequentThemes.Average(t => t.F1) : null;

    /// <summary>
    /// The themes with at least <see cref="FrequentTheme"/> examples in the evaluated file itself: how published reports of
    /// feedback classifiers count "themes with enough examples" (over a held-out split), so the figures compare.
    /// </summary>
    public IEnumerable<ThemeScore> FrequentHere => Themes.Where(t => t.Support >= FrequentTheme);

    /// <summary>Macro-F1 over <see cref="FrequentHere"/>; null when there are none.</summary>
    public double? MacroF1FrequentHere => FrequentHere.Any() ? FrequentHere.Average(t => t.F1) : null;

    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        var width = Math.Clamp(Themes.Count == 0 ? 10 : Themes.Max(t => t.Id.Length), 10, 48);
        s.AppendLine(c, $"comments: {Comments}");
        s.AppendLine(c, $"{"theme".PadRight(width)}  support  trained  precision  recall     F1");
        foreach (var t in Themes)
        {
            var note = t.Learned ? "" : "  (too few examples: not learned)";
            s.AppendLine(c, $"{Cut(t.Id, width).PadRight(width)}  {t.Support,7}  {t.TrainingExamples,7}  {t.Precision,9:F3}  {t.Recall,6:F3}  {t.F1,5:F3}{note}");
        }
        s.AppendLine(c, $"micro F1: {MicroF1:F3}");
        s.AppendLine(c, $"macro F1 (all {Themes.Count(t => t.Support > 0)} themes present): {MacroF1:F3}");
        s.AppendLine(c, $"macro F1 (learned themes, {Themes.Count(t => t.Support > 0 && t.Learned)}): {MacroF1Learned:F3}");
        if (MacroF1Frequent is { } frequent)
        {
            s.AppendLine(c, $"macro F1 (themes with at least {FrequentTheme} training examples, {FrequentThemes.Count()}): {frequent:F3}");
        }
        if (MacroF1FrequentHere is { } here)
        {
            s.AppendLine(c, $"macro F1 (themes with at least {FrequentTheme} examples in this file, {FrequentHere.Count()}): {here:F3}");
        }
        if (SentimentExact is { } exact && SentimentThreeClass is { } three)
        {
            s.AppendLine(c, $"sentiment accuracy (exact, {SentimentLabelled} comments): {exact:F3}");
            s.AppendLine(c, $"sentiment accuracy (positive / mixed-neutral / negative): {three:F3}");
            if (SentimentConfusion is { } m)
            {
                s.AppendLine("three-class confusion (rows: labelled negative, mixed-neutral, positive; columns: predicted):");
                for (var i = 0; i < 3; i++)
                {
                    s.AppendLine(c, $"  {m[i, 0],6} {m[i, 1],6} {m[i, 2],6}");
                }
            }
        }
        else
        {
            s.AppendLine("sentiment: not in this framework");
        }
        return s.ToString();
    }

    private static string Cut(string value, int width) => value.Length <= width ? value : value[..(width - 1)] + "…";
}

public static class Evaluator
{
    /// <summary>Compares predictions with the labels of the same rows.</summary>
    public static EvaluationReport Evaluate(InsightsModel model, IReadOnlyList<FeedbackRow> rows, IReadOnlyList<Classification> predictions)
    {
        var framework = model.Framework;
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var t = 0; t < framework.Themes.Count; t++)
        {
            byId[framework.Themes[t].Id] = t;
        }
        var n = framework.Themes.Count;
        var tp = new int[n];
        var fp = new int[n];
        var fn = new int[n];
        var support = new int[n];
        var confusion = new int[3, 3];
        int sentimentRows = 0, exact = 0, three = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var actual = new HashSet<int>(rows[i].Themes);
            var predicted = new HashSet<int>(predictions[i].Themes.Select(m => byId[m.Id]));
            for (var t = 0; t < n; t++)
            {
                var a = actual.Contains(t);
                var p = predicted.Contains(t);
                if (a)
                {
                    support[t]++;
                }
                if (a && p)
                {
                    tp[t]++;
                }
                else if (p)
                {
                    fp[t]++;
                }
                else if (a)
                {
                    fn[t]++;
                }
            }
            if (framework.Sentiment is { } scale && rows[i].Sentiment is { } truth && predictions[i].Sentiment is { } guess)
            {
                sentimentRows++;
                if (truth == guess)
                {
                    exact++;
                }
                var tc = scale.ClassOf(truth);
                var gc = scale.ClassOf(guess);
                if (tc == gc)
                {
                    three++;
                }
                confusion[(int)tc, (int)gc]++;
            }
        }
        var learned = new HashSet<int>(model.LearnedThemes);
        var themes = Enumerable.Range(0, n).Select(t => new ThemeScore(framework.Themes[t].Id, framework.Themes[t].DisplayName, support[t],
            model.TrainingCounts[t], learned.Contains(t), tp[t], fp[t], fn[t])).ToList();
        var totalTp = tp.Sum();
        var totalFp = fp.Sum();
        var totalFn = fn.Sum();
        var micro = totalTp == 0 ? 0 : 2.0 * totalTp / (2.0 * totalTp + totalFp + totalFn);
        var present = themes.Where(t => t.Support > 0).ToList();
        var macro = present.Count == 0 ? 0 : present.Average(t => t.F1);
        var presentLearned = present.Where(t => t.Learned).ToList();
        var macroLearned = presentLearned.Count == 0 ? 0 : presentLearned.Average(t => t.F1);
        var hasSentiment = framework.Sentiment is not null && sentimentRows > 0;
        return new EvaluationReport(rows.Count, themes, micro, macro, macroLearned, sentimentRows,
            hasSentiment ? (double)exact / sentimentRows : null,
            hasSentiment ? (double)three / sentimentRows : null,
            hasSentiment ? confusion : null);
    }
}
