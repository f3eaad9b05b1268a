using Drawbridge.Insights;

/// <summary>
/// The checks that need the full development data (shared/data/feedback, kept outside the repository), with the bars the
/// unit tests once held it to; the unit tests run on a generated fixture. CI runs this when the data is present
/// (<c>--check</c>); it exits 1 naming each check that failed.
/// </summary>
internal static class FullDataCheck
{
    public static int Run(string dataPath, Framework categories, Framework subcategories, ISentenceEmbedder embedder)
    {
        var failures = new List<string>();
        void Check(bool ok, string what)
        {
            Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}");
            if (!ok)
            {
                failures.Add(what);
            }
        }

        var bySubcategory = FeedbackCsv.ReadLabelled(dataPath, subcategories);
        Check(bySubcategory.Rows.Count + bySubcategory.SkippedEmpty == 10334, $"10,334 rows read ({bySubcategory.Rows.Count} + {bySubcategory.SkippedEmpty} empty)");
        var dirty = bySubcategory.Issues.Where(i => i.Column == "criticality").ToList();
        Check(dirty.Any(i => i.Value == "-o") && dirty.Any(i => i.Value == "NA") && dirty.All(i => i.Line > 1),
            $"dirty criticality values reported with their lines ({dirty.Count})");

        var rows = FeedbackCsv.ReadLabelled(dataPath, categories).Rows.ToArray();
        new Random(11).Shuffle(rows);
        var sample = rows.Take(2000).ToList();
        var model = InsightsTrainer.Train(categories, sample.Take(1600).ToList(), embedder, new TrainingOptions());
        var classifier = new FeedbackClassifier(model, embedder);
        var test = sample.Skip(1600).ToList();
        var predictions = classifier.ClassifyMany(test.Select(r => r.Text).ToList());
        var report = Evaluator.Evaluate(model, test, predictions);
        Check(predictions.All(p => p.Themes.Count == 1), "one theme per comment with the single-label categories");
        Check(report.MicroF1 > 0.6, $"categories micro-F1 {report.MicroF1:F3} > 0.6 (1,600 comments trained, 400 held out)");
        Check(report.SentimentThreeClass > 0.7, $"three-class sentiment {report.SentimentThreeClass:F3} > 0.7");
        Check(classifier.Covers("Nothing to improve"), "'Nothing to improve' is claimed by a theme");

        var texts = rows.Select(r => r.Text).ToList();
        List<string> About(string word) => texts.Where(t => t.Contains(word, StringComparison.OrdinalIgnoreCase) && t.Length < 200).Take(40).ToList();
        var parking = About("parking");
        var food = About("food");
        var topics = EmergingTopics.Find([.. parking, .. food], embedder, options: new TopicOptions { Clusters = 2, MinSize = 5 });
        Check(topics.Topics.Count == 2
            && topics.Topics.Any(t => t.Keywords.Any(k => k.Contains("parking", StringComparison.Ordinal)))
            && topics.Topics.Any(t => t.Keywords.Any(k => k.Contains("food", StringComparison.Ordinal))),
            "real parking and food comments fall into two topics named by those words");

        Console.WriteLine(failures.Count == 0 ? "full-data check passed" : $"full-data check FAILED: {failures.Count} check(s)");
        return failures.Count == 0 ? 0 : 1;
    }
}
