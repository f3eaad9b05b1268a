using System.Text;
using Drawbridge.Insights;

namespace Drawbridge.Insights.Tests;

/// <summary>Context columns: the question a comment answers (and the like) as features beside its text.</summary>
public sealed class ContextTests
{
    private const string Good = "What was good about your visit?";
    private const string Better = "What could we have done better?";

    internal static readonly Framework Framework = new()
    {
        Name = "context-test",
        Version = "1",
        IdColumn = "Comment ID",
        TextColumn = "Answer",
        Themes =
        [
            new ThemeDefinition { Id = "nothing-to-improve", Column = "Nothing to improve" },
            new ThemeDefinition { Id = "nothing-good", Column = "Nothing was good" },
            new ThemeDefinition { Id = "staff", Column = "Staff" },
            new ThemeDefinition { Id = "waiting", Column = "Waiting" },
        ],
    };

    private static readonly string[] StaffTexts = ["The staff were kind", "Lovely nurses on the ward", "The doctor listened to me", "Staff were rude", "Friendly receptionist"];
    private static readonly string[] WaitingTexts = ["Waited four hours", "The wait was too long", "Long queue at the desk", "Appointments were late", "Hours in the waiting room"];
    private static readonly string[] NothingTexts = ["Nothing", "Nothing.", "Nothing really", "Nothing at all"];

    /// <summary>
    /// Labelled rows: "Nothing" means "nothing to improve" when the question asked what could be better, and "nothing
    /// was good" when it asked what was good; only the question column tells them apart. Also a theme code (a label
    /// the framework does not read), a respondent number (a value per row) and a site (always the same).
    /// </summary>
    internal static string LabelledCsv(int rows, int seed, bool withQuestion = true)
    {
        var random = new Random(seed);
        var csv = new StringBuilder();
        csv.Append("Comment ID,Answer,").Append(withQuestion ? "Question," : "").Append("Theme code,Respondent,Site,Nothing to improve,Nothing was good,Staff,Waiting\n");
        for (var id = 1; id <= rows; id++)
        {
            var question = random.Next(2) == 0 ? Good : Better;
            var kind = random.Next(3);
            var text = kind switch
            {
                0 => NothingTexts[random.Next(NothingTexts.Length)],
                1 => StaffTexts[random.Next(StaffTexts.Length)],
                _ => WaitingTexts[random.Next(WaitingTexts.Length)],
            };
            var theme = kind switch { 0 => question == Better ? 0 : 1, 1 => 2, _ => 3 };
            csv.Append(id).Append(',').Append(TestData.Quote(text)).Append(',');
            if (withQuestion)
            {
                csv.Append(TestData.Quote(question)).Append(',');
            }
            csv.Append("T").Append(theme).Append(',').Append(1000 + id).Append(",Main,");
            csv.Append(string.Join(",", Enumerable.Range(0, 4).Select(t => t == theme ? "1" : "0"))).Append('\n');
        }
        return csv.ToString();
    }

    [Fact]
    public void Context_is_chosen_from_the_data_and_labels_ids_and_constants_are_not_context()
    {
        var data = FeedbackCsv.Read(new StringReader(LabelledCsv(300, seed: 1)), Framework, labelled: true);
        var choices = ContextDetection.Choose(data.Rows).ToDictionary(c => c.Column);

        Assert.Equal(["Question", "Theme code", "Respondent", "Site"], choices.Keys);
        Assert.True(choices["Question"].Used);
        Assert.Equal(2, choices["Question"].Values);
        Assert.False(choices["Theme code"].Used);
        Assert.Contains("follows the themes", choices["Theme code"].Reason, StringComparison.Ordinal);
        Assert.False(choices["Respondent"].Used);
        Assert.Contains("300 values", choices["Respondent"].Reason, StringComparison.Ordinal);
        Assert.False(choices["Site"].Used);
        Assert.Contains("nearly always the same value", choices["Site"].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_question_asked_decides_what_an_ambiguous_answer_means_and_a_missing_question_is_a_warning()
    {
        var (dir, modelPath, train) = await Train(Framework, rows: 600, seed: 2);
        Assert.True(train.Code == 0, train.Error);
        Assert.Contains("context columns (the framework names none, so chosen from the data): Question (2 values)", train.Output, StringComparison.Ordinal);
        Assert.Contains("Theme code (follows the themes: a label, not context)", train.Output, StringComparison.Ordinal);

        // The same answer to the two questions.
        var inputPath = Path.Combine(dir, "in.csv");
        File.WriteAllText(inputPath, $"Comment ID,Answer,Question\na,Nothing,{TestData.Quote(Better)}\nb,Nothing,{TestData.Quote(Good)}\nc,The staff were kind,{TestData.Quote(Good)}\n");
        var outPath = Path.Combine(dir, "out.csv");
        var classify = await Run("classify", "--model", modelPath, "--data", inputPath, "--out", outPath);
        Assert.True(classify.Code == 0, classify.Error);
        Assert.Equal(["Comment ID,themes,sentiment", "a,nothing-to-improve,", "b,nothing-good,", "c,staff,"], File.ReadAllLines(outPath));

        // The model is the same file classified without the question: still answers, and says what is missing.
        File.WriteAllText(inputPath, "Comment ID,Answer\nc,The staff were kind\nd,Waited four hours\n");
        var without = await Run("classify", "--model", modelPath, "--data", inputPath, "--out", outPath);
        Assert.True(without.Code == 0, without.Error);
        Assert.Contains("the model uses column 'Question' as context", without.Error, StringComparison.Ordinal);
        Assert.Equal(["Comment ID,themes,sentiment", "c,staff,", "d,waiting,"], File.ReadAllLines(outPath));

        // Evaluation reads the question too: on new labelled rows the two meanings of "Nothing" are told apart.
        Assert.Contains("micro F1: 1.000", await EvaluateOnNewRows(dir, modelPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Topics_measure_comments_against_the_themes_with_their_context_as_classify_does()
    {
        var (dir, modelPath, train) = await Train(Framework, rows: 600, seed: 2);
        Assert.True(train.Code == 0, train.Error);
        // Coverage reads the context: the same answer is nearest to a different theme for each question.
        var classifier = new FeedbackClassifier(InsightsModel.Load(modelPath), null);
        var coverage = classifier.CoverageMany(["Nothing", "Nothing"],
            [new Dictionary<string, string> { ["Question"] = Better }, new Dictionary<string, string> { ["Question"] = Good }]);
        Assert.Equal([0, 1], coverage.Select(c => c.Theme));
        Assert.All(coverage, c => Assert.True(c.Covered));

        // "Nothing" in answer to "what could be better" is a theme ("nothing to improve") with its question.
        var rows = Enumerable.Range(0, 12).Select(i => $"n{i},Nothing,{TestData.Quote(Better)}").ToList();
        var withQuestion = Path.Combine(dir, "recent.csv");
        File.WriteAllText(withQuestion, "Comment ID,Answer,Question\n" + string.Join("\n", rows) + "\n");
        var topics = await Run("topics", "--model", modelPath, "--data", withQuestion, "--text-column", "Answer", "--min-size", "3");
        Assert.True(topics.Code == 0, topics.Error);
        Assert.Contains("12 comments; 0 not covered by any theme of 'context-test'", topics.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", topics.Error, StringComparison.Ordinal);

        // Without the question the same answers are ambiguous, and the run says what is missing.
        var withoutQuestion = Path.Combine(dir, "recent-no-question.csv");
        File.WriteAllText(withoutQuestion, "Comment ID,Answer\n" + string.Join("\n", rows.Select(r => r[..r.IndexOf(",\"", StringComparison.Ordinal)])) + "\n");
        var without = await Run("topics", "--model", modelPath, "--data", withoutQuestion, "--text-column", "Answer", "--min-size", "3");
        Assert.True(without.Code == 0, without.Error);
        Assert.Contains("the model uses column 'Question' as context", without.Error, StringComparison.Ordinal);
        Assert.Matches(@"12 comments; \d+ not covered by any theme of 'context-test'", without.Output);
    }

    [Fact]
    public async Task Without_its_question_column_the_same_data_cannot_tell_the_two_meanings_apart()
    {
        var (dir, modelPath, train) = await Train(Framework with { ContextColumns = [] }, rows: 600, seed: 2);
        Assert.True(train.Code == 0, train.Error);
        Assert.Contains("context columns (named by the framework): none", train.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("micro F1: 1.000", await EvaluateOnNewRows(dir, modelPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_context_column_the_framework_names_must_be_in_the_training_data()
    {
        var (_, modelPath, train) = await Train(Framework with { ContextColumns = ["Ward"] }, rows: 100, seed: 4);
        Assert.Equal(1, train.Code);
        Assert.Contains("missing context column 'Ward'", train.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(modelPath));
    }

    [Fact]
    public void In_multi_label_data_a_column_that_follows_one_of_a_comments_themes_is_a_label_not_context()
    {
        // Half the comments carry two themes; "Main theme" is the first theme's code, as an export's "primary category"
        // would be. Grouped by the whole set of themes it looks free (pairs are too varied), but it follows one of them.
        var random = new Random(3);
        var csv = new StringBuilder("Comment ID,Answer,Question,Main theme,Nothing to improve,Nothing was good,Staff,Waiting\n");
        for (var id = 1; id <= 400; id++)
        {
            var first = random.Next(4);
            var second = random.Next(2) == 0 ? first : (first + 1 + random.Next(3)) % 4;
            var question = random.Next(2) == 0 ? Good : Better;
            csv.Append(id).Append(",Comment ").Append(id).Append(',').Append(TestData.Quote(question)).Append(",T").Append(first).Append(',')
                .Append(string.Join(",", Enumerable.Range(0, 4).Select(t => t == first || t == second ? "1" : "0"))).Append('\n');
        }
        var data = FeedbackCsv.Read(new StringReader(csv.ToString()), Framework, labelled: true);
        Assert.Contains(data.Rows, r => r.Themes.Count == 2);
        var choices = ContextDetection.Choose(data.Rows).ToDictionary(c => c.Column);

        Assert.True(choices["Question"].Used, choices["Question"].Reason);
        Assert.False(choices["Main theme"].Used);
        Assert.Contains("follows the themes", choices["Main theme"].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_comment_without_a_known_value_gets_the_training_comments_average_for_that_column()
    {
        var contexts = new[] { "Good", "Good", "Good", "Better", "Rare" }
            .Select(q => (IReadOnlyDictionary<string, string>?)new Dictionary<string, string> { ["Question"] = q, ["Site"] = "Main" }).ToList();
        var features = TextFeatures.Learn(["staff kind", "staff rude", "long wait", "long wait", "nothing"])
            .WithContext(["Question", "Site"], contexts, minDocuments: 1, weight: 2f);
        float Value((int[] Indices, float[] Values) x, string column, string value) =>
            x.Values[Array.IndexOf(x.Indices, features.Terms.ToList().IndexOf(TextFeatures.ContextTerm(column, value)))];

        var known = features.Transform("staff kind", ["Question", "Site"], new Dictionary<string, string> { ["Question"] = "Better", ["Site"] = "Main" });
        Assert.Equal(2f, Value(known, "Question", "Better"));
        Assert.DoesNotContain(features.Terms.ToList().IndexOf(TextFeatures.ContextTerm("Question", "Good")), known.Indices);

        // No question (or one never seen in training): each question's feature at weight × its share (3/5, 1/5, 1/5).
        var unknown = features.Transform("staff kind", ["Question", "Site"], new Dictionary<string, string> { ["Question"] = "Asked later", ["Site"] = "Main" });
        Assert.Equal(2f * 3 / 5, Value(unknown, "Question", "Good"), 5);
        Assert.Equal(2f * 1 / 5, Value(unknown, "Question", "Better"), 5);
        Assert.Equal(2f * 1 / 5, Value(unknown, "Question", "Rare"), 5);
        Assert.Equal(2f, Value(unknown, "Site", "Main"));
        Assert.Equal(unknown.Indices.Order(), unknown.Indices);

        var none = features.Transform("staff kind", ["Question", "Site"], null);
        Assert.Equal(2f * 3 / 5, Value(none, "Question", "Good"), 5);
        var words = features.Transform("staff kind").Indices;
        Assert.NotEmpty(words);
        Assert.Equal(words, none.Indices.Take(words.Length));
    }

    [Theory]
    [InlineData("Answer", "context column 'Answer' is also the framework's text, id, label, theme or sentiment column")]
    [InlineData("Staff", "context column 'Staff' is also the framework's text, id, label, theme or sentiment column")]
    [InlineData("", "contextColumns has an empty column name")]
    public void A_framework_cannot_read_one_of_its_own_columns_as_context(string column, string expected)
    {
        var json = (Framework with { ContextColumns = [column] }).ToJson();
        var error = Assert.Throws<InsightsException>(() => Drawbridge.Insights.Framework.Parse(json));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Writes the framework and a labelled file to a new folder and runs <c>insights train</c> (TF-IDF only) there.</summary>
    private static async Task<(string Dir, string ModelPath, (int Code, string Output, string Error) Result)> Train(Framework framework, int rows, int seed)
    {
        var frameworkPath = TestData.TempFile("framework.json");
        var dir = Path.GetDirectoryName(frameworkPath)!;
        File.WriteAllText(frameworkPath, framework.ToJson());
        var trainPath = Path.Combine(dir, "train.csv");
        File.WriteAllText(trainPath, LabelledCsv(rows, seed));
        var modelPath = Path.Combine(dir, "model.bin");
        return (dir, modelPath, await Run("train", "--framework", frameworkPath, "--data", trainPath, "--model", modelPath, "--no-embeddings"));
    }

    /// <summary>Runs <c>insights evaluate</c> on 200 new labelled rows (with their question) and returns what it printed.</summary>
    private static async Task<string> EvaluateOnNewRows(string dir, string modelPath)
    {
        var testPath = Path.Combine(dir, "test.csv");
        File.WriteAllText(testPath, LabelledCsv(200, seed: 3));
        var evaluate = await Run("evaluate", "--model", modelPath, "--data", testPath);
        Assert.True(evaluate.Code == 0, evaluate.Error);
        return evaluate.Output;
    }

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await InsightsCli.RunAsync(args, TextReader.Null, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
