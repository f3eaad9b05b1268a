using Drawbridge.Insights;

namespace Drawbridge.Insights.Tests;

public sealed class CliTests
{
    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await InsightsCli.RunAsync(args, TextReader.Null, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Train_classify_and_evaluate_work_end_to_end_on_a_multi_label_file()
    {
        var (framework, csv) = TestData.MultiLabelCsv(900, seed: 21);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var frameworkPath = TestData.TempFile("framework.json");
        File.WriteAllText(frameworkPath, framework.ToJson());
        var trainPath = Path.Combine(Path.GetDirectoryName(frameworkPath)!, "train.csv");
        File.WriteAllText(trainPath, string.Join('\n', lines.Take(700)) + "\n");
        // Unlabelled input: only id and text, plus one row with no text that must be skipped.
        var inputPath = Path.Combine(Path.GetDirectoryName(frameworkPath)!, "in.csv");
        var testRows = FeedbackCsv.Read(new StringReader(lines[0] + "\n" + string.Join('\n', lines.Skip(700))), framework, labelled: true).Rows;
        File.WriteAllText(inputPath, "\"Comment ID\",\"FFT answer\"\n" + string.Join('\n', testRows.Select(r => $"{r.Id},{TestData.Quote(r.Text)}")) + "\nempty-one,\n");
        var labelledTestPath = Path.Combine(Path.GetDirectoryName(frameworkPath)!, "test.csv");
        File.WriteAllText(labelledTestPath, lines[0] + "\n" + string.Join('\n', lines.Skip(700)) + "\n");
        var modelPath = Path.Combine(Path.GetDirectoryName(frameworkPath)!, "model.bin");
        var predictionsPath = Path.Combine(Path.GetDirectoryName(frameworkPath)!, "predictions.csv");

        var train = await Run("train", "--framework", frameworkPath, "--data", trainPath, "--model", modelPath, "--no-embeddings");
        Assert.True(train.Code == 0, train.Error);
        Assert.Contains("themes learned:", train.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(modelPath));

        var classify = await Run("classify", "--model", modelPath, "--data", inputPath, "--out", predictionsPath);
        Assert.True(classify.Code == 0, classify.Error);
        Assert.Contains("skipped 1 rows with empty text", classify.Output, StringComparison.Ordinal);
        var predictions = FeedbackCsv.ReadTexts(predictionsPath, "themes", "Comment ID");
        var written = File.ReadAllLines(predictionsPath);
        Assert.Equal("Comment ID,themes,sentiment", written[0]);
        Assert.Equal(testRows.Count + 1, written.Length);
        var ids = framework.Themes.Select(t => t.Id).ToHashSet();
        foreach (var line in written.Skip(1))
        {
            var fields = line.Split(',');
            Assert.Equal(3, fields.Length);
            Assert.All(fields[1].Split('|', StringSplitOptions.RemoveEmptyEntries), id => Assert.Contains(id, ids));
            Assert.InRange(int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture), 1, 5);
        }
        Assert.Equal(testRows.Select(r => r.Id), written.Skip(1).Select(l => l.Split(',')[0]));
        Assert.NotNull(predictions);

        var evaluate = await Run("evaluate", "--model", modelPath, "--data", labelledTestPath);
        Assert.True(evaluate.Code == 0, evaluate.Error);
        Assert.Contains("micro F1:", evaluate.Output, StringComparison.Ordinal);
        Assert.Contains("macro F1", evaluate.Output, StringComparison.Ordinal);
        Assert.Matches(@"macro F1 \(themes with at least 50 training examples, \d+\): 0\.\d{3}", evaluate.Output);
        Assert.Contains("sentiment accuracy (positive / mixed-neutral / negative):", evaluate.Output, StringComparison.Ordinal);
        Assert.Contains("staff", evaluate.Output, StringComparison.Ordinal);

        var otherVersion = TestData.TempFile("framework-v4.json");
        File.WriteAllText(otherVersion, (framework with { Version = "4" }).ToJson());
        var refused = await Run("classify", "--model", modelPath, "--data", inputPath, "--out", predictionsPath, "--framework", otherVersion);
        Assert.Equal(1, refused.Code);
        Assert.Contains("version 3, not 'test-multilabel' version 4", refused.Error, StringComparison.Ordinal);
    }

    /// <summary>Rows in the development data's layout, with a criticality (null: the row's own) and a text chosen per row.</summary>
    private static string CategoriesCsv(IReadOnlyList<FeedbackRow> rows, Func<int, FeedbackRow, (string? Criticality, string Text)> choose)
    {
        var labels = TestData.Categories.Themes;
        var body = rows.Select((r, i) =>
        {
            var (criticality, text) = choose(i, r);
            criticality ??= r.Sentiment?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "0";
            return $"c,{TestData.Quote(labels[r.Themes[0]].Value!)},x,{TestData.Quote(text)},{criticality},T,Q,{i}";
        });
        return "code,label,subcategory,feedback,criticality,organization,question,row_index\n" + string.Join("\n", body) + "\n";
    }

    private static Task<(int Code, string Output, string Error)> TrainCategories(string dataPath) =>
        Run("train", "--framework", Path.Combine(TestData.RepositoryRoot, "src", "Drawbridge.Insights", "Frameworks", "phase1-categories.json"),
            "--data", dataPath, "--model", dataPath + ".model", "--no-embeddings");

    [Fact]
    public async Task Training_reports_dirty_values_with_line_numbers_and_carries_on()
    {
        var dataPath = TestData.TempFile("dirty.csv");
        var rows = TestData.CategoryRowsSample(400, seed: 1);
        File.WriteAllText(dataPath, CategoriesCsv(rows, (i, r) => (i == 5 ? "-o" : i == 9 ? "NA" : null, r.Text)));
        var result = await TrainCategories(dataPath);
        Assert.True(result.Code == 0, result.Error);
        var lineOfRow5 = 2 + 5 + rows.Take(5).Sum(r => r.Text.Count(c => c == '\n'));
        Assert.Contains($"line {lineOfRow5}, column 'criticality'", result.Error, StringComparison.Ordinal);
        Assert.Contains("('-o')", result.Error, StringComparison.Ordinal);
        Assert.Contains("('NA')", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_UTF_8_is_read_as_Windows_1252_with_a_warning()
    {
        var dataPath = TestData.TempFile("excel.csv");
        var rows = TestData.CategoryRowsSample(300, seed: 2);
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        File.WriteAllBytes(dataPath, System.Text.Encoding.GetEncoding(1252).GetBytes(
            CategoriesCsv(rows, (i, r) => (null, i == 0 ? r.Text + " \u00a34 to park" : r.Text))));
        var result = await TrainCategories(dataPath);
        Assert.True(result.Code == 0, result.Error);
        Assert.Contains($"warning: {dataPath} is not UTF-8; it was read as Windows-1252", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Topics_are_listed_furthest_from_the_themes_first_with_each_ones_nearest_theme()
    {
        var dataPath = TestData.TempFile("topics-train.csv");
        File.WriteAllText(dataPath, CategoriesCsv(TestData.CategoryRowsSample(1500, seed: 12), (_, r) => (null, r.Text)));
        var trained = await TrainCategories(dataPath);
        Assert.True(trained.Code == 0, trained.Error);
        var recentPath = TestData.TempFile("topics-recent.csv");
        File.WriteAllText(recentPath, CategoriesCsv(TestData.CategoryRowsSample(400, seed: 13), (_, r) => (null, r.Text)));

        var topicsPath = Path.Combine(Path.GetDirectoryName(recentPath)!, "topics-out", "topics.csv");
        var withModel = await Run("topics", "--data", recentPath, "--text-column", "feedback", "--id-column", "row_index",
            "--model", dataPath + ".model", "--min-size", "3", "--out", topicsPath);
        Assert.True(withModel.Code == 0, withModel.Error);
        Assert.Matches(@"400 comments; \d+ not covered by any theme of 'nottinghamshire-phase1-categories'; topics among those, furthest from the themes first", withModel.Output);
        var names = TestData.Categories.Themes.Select(t => t.Name).ToHashSet();
        var topics = System.Text.RegularExpressions.Regex.Matches(withModel.Output,
            @"^(\d+)\. (.+) \((\d+) comments; novelty (0\.\d\d|1\.00); nearest theme '(.+)' for (\d+) % of them\)$",
            System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.NotEmpty(topics);
        Assert.Equal(Enumerable.Range(1, topics.Count).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), topics.Select(m => m.Groups[1].Value));
        Assert.All(topics, m => Assert.Contains(m.Groups[5].Value, names));
        var weights = topics.Select(m => int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture)
            * double.Parse(m.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        // Printed to two decimals, so neighbours may swap by rounding; the list still runs from far to near.
        Assert.True(weights.Zip(weights.Skip(1)).All(p => p.First >= p.Second - 0.005 * (p.First + p.Second)), string.Join(", ", weights));

        // --out lists each topic's comments by their id, in the printed order.
        Assert.Contains($"each topic's comments written to {topicsPath}", withModel.Output, StringComparison.Ordinal);
        var written = File.ReadAllLines(topicsPath);
        Assert.Equal("row_index,topic,name", written[0]);
        var recentIds = File.ReadAllLines(recentPath).Skip(1).Select(l => l.Split(',')[^1]).ToHashSet();
        var listed = written.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(listed, f => Assert.Contains(f[0], recentIds));
        Assert.Equal(listed.Count, listed.Select(f => f[0]).Distinct().Count());
        foreach (System.Text.RegularExpressions.Match m in topics)
        {
            var inTopic = listed.Where(f => f[1] == m.Groups[1].Value).ToList();
            Assert.Equal(int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), inTopic.Count);
            Assert.All(inTopic, f => Assert.Equal(m.Groups[2].Value, f[2]));
        }

        var withoutModel = await Run("topics", "--data", recentPath, "--text-column", "feedback", "--topics", "4");
        Assert.True(withoutModel.Code == 0, withoutModel.Error);
        Assert.Contains("400 comments; topics among all of them:", withoutModel.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^1\. .+ \(\d+ comments\)$", withoutModel.Output);
        Assert.DoesNotContain("nearest theme", withoutModel.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_output_that_cannot_be_written_fails_before_the_work_and_earlier_output_is_kept()
    {
        var dataPath = TestData.TempFile("outputs.csv");
        File.WriteAllText(dataPath, CategoriesCsv(TestData.CategoryRowsSample(300, seed: 4), (_, r) => (null, r.Text)));
        var folder = Path.GetDirectoryName(dataPath)!;
        var frameworkPath = Path.Combine(TestData.RepositoryRoot, "src", "Drawbridge.Insights", "Frameworks", "phase1-categories.json");

        // A folder where the model should go: refused before any training, named.
        var modelFolder = Directory.CreateDirectory(Path.Combine(folder, "model-folder")).FullName;
        var intoFolder = await Run("train", "--framework", frameworkPath, "--data", dataPath, "--model", modelFolder, "--no-embeddings");
        Assert.Equal(1, intoFolder.Code);
        Assert.Contains($"cannot write {modelFolder}: it is a folder", intoFolder.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("learning vocabulary", intoFolder.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(modelFolder));

        var trained = await TrainCategories(dataPath);
        Assert.True(trained.Code == 0, trained.Error);
        var modelPath = dataPath + ".model";

        // A file where a folder of the output path should be: refused before classifying, named.
        var blocker = Path.Combine(folder, "not-a-folder");
        File.WriteAllText(blocker, "keep me");
        var blocked = Path.Combine(blocker, "predictions.csv");
        var classify = await Run("classify", "--model", modelPath, "--data", dataPath, "--out", blocked);
        Assert.Equal(1, classify.Code);
        Assert.Contains($"cannot write {blocked}", classify.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("classifying comments", classify.Error, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(blocker));

        var topics = await Run("topics", "--data", dataPath, "--text-column", "feedback", "--out", blocked);
        Assert.Equal(1, topics.Code);
        Assert.Contains($"cannot write {blocked}", topics.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("embedding comments", topics.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_file_is_in_place_only_once_committed_and_a_run_that_stops_leaves_the_old_one()
    {
        var path = TestData.TempFile("predictions.csv");
        File.WriteAllText(path, "old");
        using (var stopped = OutputFile.Claim(path))
        {
            stopped.Stream.Write("half"u8);
            Assert.Equal("old", File.ReadAllText(path));
        }
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));

        using (var finished = OutputFile.Claim(path))
        {
            finished.Stream.Write("new"u8);
            finished.Commit();
        }
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Theory]
    [InlineData(new[] { "train", "--data", "x.csv", "--model", "m" }, "--framework is required")]
    [InlineData(new[] { "classify", "--model" }, "--model needs a value")]
    [InlineData(new[] { "frobnicate" }, "unknown verb 'frobnicate'")]
    [InlineData(new[] { "evaluate", "--model", "m", "--data", "d", "--colour", "red" }, "unknown option --colour")]
    public async Task Bad_usage_exits_2_naming_the_problem(string[] args, string expected)
    {
        var result = await Run(args);
        Assert.Equal(2, result.Code);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_column_in_the_data_exits_1_naming_the_column()
    {
        var frameworkPath = Path.Combine(TestData.RepositoryRoot, "src", "Drawbridge.Insights", "Frameworks", "phase1-categories.json");
        var dataPath = TestData.TempFile("nolabel.csv");
        File.WriteAllText(dataPath, "feedback,criticality,row_index\nhello,1,1\n");
        var result = await Run("train", "--framework", frameworkPath, "--data", dataPath, "--model", dataPath + ".model", "--no-embeddings");
        Assert.Equal(1, result.Code);
        Assert.Contains("missing column 'label'", result.Error, StringComparison.Ordinal);
    }
}
