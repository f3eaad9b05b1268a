using Drawbridge.Insights;

namespace Drawbridge.Insights.Tests;

[Collection("embedder")]
public sealed class TrainingTests(EmbedderFixture fixture)
{
    private static readonly TrainingOptions TextOnly = new() { UseEmbeddings = false };

    [Fact]
    public void A_multi_label_framework_is_learned_and_finds_several_themes_per_comment()
    {
        var (framework, csv) = TestData.MultiLabelCsv(1600, seed: 3);
        var data = FeedbackCsv.Read(new StringReader(csv), framework, labelled: true);
        var train = data.Rows.Take(1200).ToList();
        var test = data.Rows.Skip(1200).ToList();
        var model = InsightsTrainer.Train(framework, train, fixture.Embedder, new TrainingOptions { Seed = 5 });
        var classifier = new FeedbackClassifier(model, fixture.Embedder);
        var predictions = classifier.ClassifyMany(test.Select(r => r.Text).ToList());
        var report = Evaluator.Evaluate(model, test, predictions);

        Assert.True(report.MicroF1 > 0.6, $"micro F1 {report.MicroF1:F3}");
        Assert.True(report.SentimentThreeClass > 0.7, $"three-class sentiment {report.SentimentThreeClass:F3}");
        Assert.Contains(predictions, p => p.Themes.Count >= 2);
        Assert.All(predictions, p => Assert.InRange(p.Sentiment!.Value, 1, 5));
        Assert.All(model.Thresholds, t => Assert.InRange(t, 0.01f, 0.96f));
    }

    [Fact]
    public void The_report_gives_macro_F1_over_themes_frequent_in_training_and_over_those_frequent_in_the_file()
    {
        // a: frequent in both; b: frequent in training only; c: frequent in the file only; d: rare in both.
        ThemeScore Score(string id, int support, int trained, int tp) => new(id, id, support, trained, trained >= 8, tp, support - tp, support - tp);
        var report = new EvaluationReport(200, [Score("a", 60, 300, 30), Score("b", 10, 80, 10), Score("c", 50, 20, 40), Score("d", 5, 9, 0)],
            0.5, 0.4, 0.4, 0, null, null, null);
        Assert.Equal(new[] { "a", "b" }, report.FrequentThemes.Select(t => t.Id));
        Assert.Equal(new[] { "a", "c" }, report.FrequentHere.Select(t => t.Id));
        Assert.Equal((0.5 + 0.8) / 2, report.MacroF1FrequentHere!.Value, 9);
        var text = report.ToText();
        Assert.Contains("macro F1 (themes with at least 50 training examples, 2): 0.750", text, StringComparison.Ordinal);
        Assert.Contains("macro F1 (themes with at least 50 examples in this file, 2): 0.650", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_label_framework_gets_exactly_one_theme_per_comment()
    {
        var rows = TestData.CategoryRowsSample(2000, seed: 11);
        var model = InsightsTrainer.Train(TestData.Categories, rows.Take(1600).ToList(), fixture.Embedder, new TrainingOptions());
        var classifier = new FeedbackClassifier(model, fixture.Embedder);
        var test = rows.Skip(1600).ToList();
        var predictions = classifier.ClassifyMany(test.Select(r => r.Text).ToList());
        Assert.All(predictions, p => Assert.Single(p.Themes));
        var report = Evaluator.Evaluate(model, test, predictions);
        Assert.True(report.MicroF1 > 0.6, $"micro F1 {report.MicroF1:F3}");
        Assert.True(report.SentimentThreeClass > 0.7, $"three-class sentiment {report.SentimentThreeClass:F3}");
        Assert.All(predictions, p => Assert.InRange(p.Sentiment!.Value, -5, 5));
    }

    [Fact]
    public void Themes_with_too_few_examples_are_not_learned_or_predicted()
    {
        var rows = TestData.CategoryRowsSample(600, seed: 2).ToList();
        var rare = TestData.Categories.Themes.ToList().FindIndex(t => t.Id == "dignity");
        var kept = rows.Where(r => !r.Themes.Contains(rare)).Concat(rows.Where(r => r.Themes.Contains(rare)).Take(3)).ToList();
        var model = InsightsTrainer.Train(TestData.Categories, kept, null, TextOnly with { MinExamples = 8 });
        Assert.DoesNotContain(rare, model.LearnedThemes);
        Assert.Equal(3, model.TrainingCounts[rare]);
        var classifier = new FeedbackClassifier(model, null);
        Assert.DoesNotContain(classifier.ClassifyMany(rows.Select(r => r.Text).ToList()), p => p.Themes.Any(t => t.Id == "dignity"));
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        var rows = TestData.CategoryRowsSample(800, seed: 4);
        var (framework, _) = TestData.MultiLabelCsv(10, seed: 1);
        var asColumns = TestData.Categories with { LabelColumn = null, Themes = framework.Themes };
        byte[] Bytes(int seed)
        {
            using var stream = new MemoryStream();
            InsightsTrainer.Train(asColumns, rows, null, TextOnly with { Seed = seed }).Write(stream);
            return stream.ToArray();
        }
        Assert.Equal(Bytes(9), Bytes(9));
        Assert.NotEqual(Bytes(9), Bytes(10));
    }

    [Fact]
    public void A_saved_model_classifies_the_same_after_loading()
    {
        var rows = TestData.CategoryRowsSample(800, seed: 6);
        var model = InsightsTrainer.Train(TestData.Categories, rows, null, TextOnly);
        var path = TestData.TempFile("categories.model");
        model.Save(path);
        var loaded = InsightsModel.Load(path, TestData.Categories);
        var texts = rows.Take(50).Select(r => r.Text).ToList();
        Assert.Equal(
            new FeedbackClassifier(model, null).ClassifyMany(texts),
            new FeedbackClassifier(loaded, null).ClassifyMany(texts),
            new ClassificationComparer());
    }

    [Fact]
    public void A_saved_model_with_embeddings_and_neighbours_classifies_the_same_after_loading()
    {
        var (framework, csv) = TestData.MultiLabelCsv(1600, seed: 3);
        var data = FeedbackCsv.Read(new StringReader(csv), framework, labelled: true);
        var model = InsightsTrainer.Train(framework, data.Rows.Take(1200).ToList(), fixture.Embedder, new TrainingOptions { Seed = 5 });
        Assert.NotNull(model.Neighbours);
        Assert.Equal(1200, model.Neighbours.Rows);
        var path = TestData.TempFile("multi.model");
        model.Save(path);
        var loaded = InsightsModel.Load(path, framework);
        var texts = data.Rows.Skip(1200).Take(100).Select(r => r.Text).ToList();
        Assert.Equal(
            new FeedbackClassifier(model, fixture.Embedder).ClassifyMany(texts),
            new FeedbackClassifier(loaded, fixture.Embedder).ClassifyMany(texts),
            new ClassificationComparer());
    }

    [Fact]
    public void A_saved_model_with_context_in_every_head_classifies_the_same_after_loading()
    {
        // The fixture's nine categories as 0/1 columns (the multi-label path, where the attention head is trained);
        // its organisation and question columns are chosen as context.
        var framework = TestData.Categories with
        {
            LabelColumn = null,
            Themes = TestData.Categories.Themes.Select(t => t with { Column = t.Value, Value = null }).ToList(),
        };
        var rows = TestData.CategoryRowsSample(1400, seed: 9);
        var model = InsightsTrainer.Train(framework, rows.Take(1200).ToList(), fixture.Embedder, new TrainingOptions { Seed = 5, ContextInAttention = true });
        Assert.Equal(["organization", "question"], model.Framework.ContextColumns);
        Assert.NotNull(model.TokenAttention);
        Assert.True(model.TokenAttention.ContextDimension >= 8, $"{model.TokenAttention.ContextDimension} context features");
        var path = TestData.TempFile("context.model");
        model.Save(path);
        var loaded = InsightsModel.Load(path, framework);
        Assert.Equal(model.Framework.ContextColumns, loaded.Framework.ContextColumns);
        Assert.Equal(model.TokenAttention.ContextDimension, loaded.TokenAttention!.ContextDimension);
        var test = rows.Skip(1200).ToList();
        Assert.All(test, r => Assert.Contains("question", r.Context!.Keys));
        Assert.Equal(
            new FeedbackClassifier(model, fixture.Embedder).ClassifyMany(test),
            new FeedbackClassifier(loaded, fixture.Embedder).ClassifyMany(test),
            new ClassificationComparer());
    }

    [Fact]
    public void Reading_each_part_of_the_mix_for_the_benchmark_changes_no_prediction()
    {
        var (framework, csv) = TestData.MultiLabelCsv(1400, seed: 4);
        var data = FeedbackCsv.Read(new StringReader(csv), framework, labelled: true);
        var train = data.Rows.Take(1200).ToList();
        var texts = data.Rows.Skip(1200).Select(r => r.Text).ToList();
        var plain = InsightsTrainer.Train(framework, train, fixture.Embedder, new TrainingOptions { Seed = 5 });
        OutOfFoldScores? validation = null;
        var read = InsightsTrainer.Train(framework, train, fixture.Embedder, new TrainingOptions { Seed = 5, OutOfFold = s => validation = s });

        Assert.NotNull(validation);
        Assert.Equal(1200, validation.Rows);
        Assert.Equal(read.LearnedThemes.Length, validation.Width);
        Assert.Equal(1200 * validation.Width, validation.Linear.Length);
        Assert.Equal(
            new FeedbackClassifier(plain, fixture.Embedder).ClassifyMany(texts),
            new FeedbackClassifier(read, fixture.Embedder).ClassifyMany(texts),
            new ClassificationComparer());
        // The parts, mixed by the model's weights, are the model's own theme scores.
        var classifier = new FeedbackClassifier(read, fixture.Embedder);
        var x = FeedbackClassifier.Featurize(read, fixture.Embedder, texts.Take(20).ToList(), null);
        for (var i = 0; i < x.Length; i++)
        {
            var parts = read.Parts(x[i]);
            var mixed = parts.Linear.ToArray();
            InsightsModel.Mix(mixed, parts.Shares, read.NeighbourBlend, parts.Soft, read.SoftBlend, parts.Attention, read.AttentionBlend);
            var scores = classifier.ThemeScores(texts[i]);
            for (var k = 0; k < mixed.Length; k++)
            {
                Assert.Equal(scores[read.LearnedThemes[k]], mixed[k], 5);
            }
        }
    }

    [Fact]
    public void A_smoothed_threshold_comes_from_the_broad_region_of_the_F1_curve_not_from_a_narrow_peak()
    {
        // One theme: 17 positives at 0.505 and 3 at 0.055; 4 negatives at 0.495 and 10 at 0.045. Its F1 is 0.92 at the
        // single threshold 0.50 (the 4 negatives just below it), 0.83 anywhere from 0.06 to 0.49, 0 above 0.50.
        var scores = new List<float>();
        var targets = new List<float>();
        void Add(int count, float score, bool positive)
        {
            scores.AddRange(Enumerable.Repeat(score, count));
            targets.AddRange(Enumerable.Repeat(positive ? 1f : 0f, count));
        }
        Add(17, 0.505f, true);
        Add(3, 0.055f, true);
        Add(4, 0.495f, false);
        Add(10, 0.045f, false);

        var (raw, _) = InsightsTrainer.TuneThresholds([.. scores], [.. targets], scores.Count, 1, prior: 0);
        var (smoothed, _) = InsightsTrainer.TuneThresholds([.. scores], [.. targets], scores.Count, 1, prior: 0, smoothing: 8);

        Assert.Equal(0.50f, raw[0], 3);
        Assert.InRange(smoothed[0], 0.06f, 0.49f);
    }

    [Fact]
    public void Classification_is_thread_safe()
    {
        var rows = TestData.CategoryRowsSample(700, seed: 8);
        var model = InsightsTrainer.Train(TestData.Categories, rows.Take(500).ToList(), fixture.Embedder, new TrainingOptions());
        var classifier = new FeedbackClassifier(model, fixture.Embedder);
        var texts = rows.Skip(500).Select(r => r.Text).ToList();
        var sequential = texts.Select(classifier.Classify).ToList();
        var parallel = new Classification[texts.Count];
        Parallel.For(0, texts.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = classifier.Classify(texts[i]));
        Assert.Equal(sequential, parallel, new ClassificationComparer());
    }

    [Fact]
    public void A_model_for_another_framework_version_is_refused()
    {
        var rows = TestData.CategoryRowsSample(300, seed: 7);
        var model = InsightsTrainer.Train(TestData.Categories, rows, null, TextOnly);
        var path = TestData.TempFile("v1.model");
        model.Save(path);
        var error = Assert.Throws<InsightsException>(() => InsightsModel.Load(path, TestData.Categories with { Version = "2" }));
        Assert.Contains("version 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
        var other = Assert.Throws<InsightsException>(() => InsightsModel.Load(path, TestData.Subcategories));
        Assert.Contains("nottinghamshire-phase1-subcategories", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_file_of_an_older_format_is_refused_with_a_request_to_train_again()
    {
        var rows = TestData.CategoryRowsSample(300, seed: 7);
        var path = TestData.TempFile("old.model");
        InsightsTrainer.Train(TestData.Categories, rows, null, TextOnly).Save(path);
        var bytes = File.ReadAllBytes(path);
        // After the length-prefixed magic string comes the format version.
        var versionAt = 1 + bytes[0];
        Assert.Equal(3, BitConverter.ToInt32(bytes, versionAt));
        BitConverter.GetBytes(2).CopyTo(bytes, versionAt);
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InsightsException>(() => InsightsModel.Load(path));
        Assert.Contains("model format 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("train it again", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_refused()
    {
        var path = TestData.TempFile("not-a.model");
        File.WriteAllText(path, "comment,label\nhello,1\n");
        var error = Assert.Throws<InsightsException>(() => InsightsModel.Load(path));
        Assert.Contains("not a Drawbridge insights model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_model_file_is_refused()
    {
        var rows = TestData.CategoryRowsSample(300, seed: 7);
        var path = TestData.TempFile("cut.model");
        InsightsTrainer.Train(TestData.Categories, rows, null, TextOnly).Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InsightsException>(() => InsightsModel.Load(path));
        Assert.Matches("truncated|damaged", error.Message);
    }

    private sealed class ClassificationComparer : IEqualityComparer<Classification>
    {
        public bool Equals(Classification? x, Classification? y) =>
            x is not null && y is not null && x.Sentiment == y.Sentiment && x.Themes.Select(t => t.Id).SequenceEqual(y.Themes.Select(t => t.Id))
            && x.Themes.Zip(y.Themes).All(p => Math.Abs(p.First.Score - p.Second.Score) < 1e-5);

        public int GetHashCode(Classification obj) => obj.Themes.Count;
    }
}
