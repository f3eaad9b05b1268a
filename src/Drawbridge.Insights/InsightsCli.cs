using System.Diagnostics;
using System.Globalization;
using CsvHelper;
using Spectre.Console;

namespace Drawbridge.Insights;

/// <summary>
/// The <c>insights</c> command-line verbs: train, classify, evaluate, topics. Results go to <c>output</c>; progress,
/// warnings and errors to <c>error</c>. Exit codes: 0 success, 1 bad input (named in the message), 2 bad usage.
/// </summary>
public static class InsightsCli
{
    private const int MaxIssuesShown = 30;

    public const string Usage = """
        usage: insights <verb> [options]
          train    --framework F.json --data labelled.csv --model OUT [--seed N] [--min-examples N] [--no-embeddings] [--full-precision]
          classify --model OUT --data in.csv --out predictions.csv [--framework F.json]
          evaluate --model OUT --data labelled.csv [--framework F.json]
          topics   --data in.csv --text-column C [--id-column C] [--model OUT] [--topics K] [--min-size N] [--seed N] [--out topics.csv]
        """;

    public static Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        _ = input;
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            (args.Length == 0 ? error : output).WriteLine(Usage);
            return Task.FromResult(args.Length == 0 ? 2 : 0);
        }
        Options options;
        try
        {
            options = Options.Parse(args[1..]);
        }
        catch (UsageException e)
        {
            error.WriteLine($"insights {args[0]}: {e.Message}");
            error.WriteLine(Usage);
            return Task.FromResult(2);
        }
        try
        {
            var code = args[0] switch
            {
                "train" => Train(options, output, error, cancellationToken),
                "classify" => Classify(options, output, error),
                "evaluate" => Evaluate(options, output, error),
                "topics" => Topics(options, output, error),
                _ => throw new UsageException($"unknown verb '{args[0]}'"),
            };
            return Task.FromResult(code);
        }
        catch (UsageException e)
        {
            error.WriteLine($"insights {args[0]}: {e.Message}");
            error.WriteLine(Usage);
            return Task.FromResult(2);
        }
        catch (InsightsException e)
        {
            error.WriteLine($"insights {args[0]}: {e.Message}");
            return Task.FromResult(1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"insights {args[0]}: {e.Message}");
            return Task.FromResult(1);
        }
    }

    private static int Train(Options o, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        o.Allow("framework", "data", "model", "seed", "min-examples", "no-embeddings", "folds", "full-precision");
        var framework = Framework.Load(o.Required("framework"));
        var dataPath = o.Required("data");
        var modelPath = o.Required("model");
        var data = FeedbackCsv.ReadLabelled(dataPath, framework);
        if (data.MissingContext.Count > 0)
        {
            throw new InsightsException($"{dataPath}: missing context column '{data.MissingContext[0]}' named by the framework");
        }
        ReportRead(data, dataPath, output, error);
        if (framework.ContextColumns is null)
        {
            // Chosen here rather than inside training so the choice and its reasons can be shown.
            var choices = ContextDetection.Choose(data.Rows);
            framework = framework with { ContextColumns = choices.Where(c => c.Used).Select(c => c.Column).ToArray() };
            output.WriteLine($"context columns (the framework names none, so chosen from the data): {Describe(choices.Where(c => c.Used))}");
            if (choices.Any(c => !c.Used))
            {
                output.WriteLine($"  not context: {string.Join("; ", choices.Where(c => !c.Used))}");
            }
        }
        else
        {
            output.WriteLine($"context columns (named by the framework): {(framework.ContextColumns.Count == 0 ? "none" : string.Join(", ", framework.ContextColumns))}");
        }
        var defaults = new TrainingOptions();
        var trainingOptions = defaults with
        {
            Seed = o.Int("seed") ?? defaults.Seed,
            MinExamples = o.Int("min-examples") ?? defaults.MinExamples,
            ValidationFolds = o.Int("folds") ?? defaults.ValidationFolds,
            UseEmbeddings = !o.Flag("no-embeddings"),
        };
        // Claimed before training, so a path that cannot be written fails now, not after the training.
        using var modelFile = OutputFile.Claim(modelPath);
        var clock = Stopwatch.StartNew();
        // --full-precision: MiniLM with its 32-bit weights (slower; the default 8-bit weights are measured in decision 0004).
        using var embedder = trainingOptions.UseEmbeddings ? new MiniLmEmbedder(quantized: !o.Flag("full-precision")) : null;
        InsightsModel model = null!;
        WithProgress(error, (progress, _) =>
        {
            model = InsightsTrainer.Train(framework, data.Rows, embedder, trainingOptions, progress, cancellationToken);
        });
        model.Write(modelFile.Stream);
        modelFile.Commit();
        var learned = model.LearnedThemes.Length;
        output.WriteLine($"trained '{framework.Name}' version {framework.Version} on {data.Rows.Count} comments in {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine($"embeddings: {model.EmbeddingModel ?? "none"}");
        output.WriteLine($"themes learned: {learned} of {framework.Themes.Count}");
        foreach (var t in Enumerable.Range(0, framework.Themes.Count).Where(t => model.TrainingCounts[t] < model.MinExamples))
        {
            output.WriteLine($"  not learned (only {model.TrainingCounts[t]} examples, {model.MinExamples} needed): {framework.Themes[t].Id}");
        }
        if (framework.Sentiment is not null)
        {
            output.WriteLine(model.SentimentModel is null
                ? "sentiment: no usable labels, not learned"
                : $"sentiment: learned from {data.Rows.Count(r => r.Sentiment is not null)} comments");
        }
        output.WriteLine($"model written to {modelPath}");
        return 0;
    }

    private static string Describe(IEnumerable<ContextColumnChoice> used) =>
        used.Any() ? string.Join(", ", used) : "none";

    private static int Classify(Options o, TextWriter output, TextWriter error)
    {
        o.Allow("model", "data", "out", "framework");
        var (model, classifier, embedder) = LoadModel(o);
        using var _ = embedder;
        var dataPath = o.Required("data");
        var outPath = o.Required("out");
        var data = FeedbackCsv.ReadUnlabelled(dataPath, model.Framework);
        ReportRead(data, dataPath, output, error);
        using var outFile = OutputFile.Claim(outPath);
        var clock = Stopwatch.StartNew();
        var rows = data.Rows;
        IReadOnlyList<Classification> results = [];
        WithProgress(error, (progress, _) =>
        {
            var stage = "classifying comments";
            progress.Report(new TrainingProgress(stage, 0, rows.Count));
            results = classifier.ClassifyMany(rows, new Relay(n => progress.Report(new TrainingProgress(stage, n, rows.Count))));
        });
        WriteCsv(outFile, [model.Framework.IdColumn ?? "row", "themes", "sentiment"], data.Rows.Select((row, i) => new[]
        {
            row.Id,
            string.Join('|', results[i].Themes.Select(t => t.Id)),
            results[i].Sentiment?.ToString(CultureInfo.InvariantCulture) ?? "",
        }));
        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
        output.WriteLine($"classified {data.Rows.Count} comments in {seconds:F1} s ({data.Rows.Count / seconds:F0}/s); predictions written to {outPath}");
        return 0;
    }

    private static int Evaluate(Options o, TextWriter output, TextWriter error)
    {
        o.Allow("model", "data", "framework");
        var (model, classifier, embedder) = LoadModel(o);
        using var _ = embedder;
        var dataPath = o.Required("data");
        var data = FeedbackCsv.ReadLabelled(dataPath, model.Framework);
        ReportRead(data, dataPath, output, error);
        IReadOnlyList<Classification> results = [];
        var rows = data.Rows;
        WithProgress(error, (progress, _) =>
        {
            var stage = "classifying comments";
            results = classifier.ClassifyMany(rows, new Relay(n => progress.Report(new TrainingProgress(stage, n, rows.Count))));
        });
        var report = Evaluator.Evaluate(model, data.Rows, results);
        output.WriteLine($"framework '{model.Framework.Name}' version {model.Framework.Version}");
        output.Write(report.ToText());
        return 0;
    }

    private static int Topics(Options o, TextWriter output, TextWriter error)
    {
        o.Allow("data", "text-column", "id-column", "model", "topics", "min-size", "seed", "out");
        var dataPath = o.Required("data");
        var textColumn = o.Required("text-column");
        var model = o.Value("model") is { } modelPath ? InsightsModel.Load(modelPath) : null;
        // A model that reads context columns measures the comments against its themes with them, as classify does.
        var data = FeedbackCsv.ReadTexts(dataPath, textColumn, o.Value("id-column"), model?.Framework.ContextColumns);
        ReportRead(data, dataPath, output, error);
        // Topics are found in the space of the model's embedder, so a model's coverage and the clusters agree.
        using var miniLm = model?.EmbeddingModel is { } name ? MiniLmEmbedder.For(name) : new MiniLmEmbedder();
        var embedder = new CachingEmbedder(miniLm, tokenCapacity: ClassifyTokenCache);
        var classifier = model is null ? null : new FeedbackClassifier(model, model.EmbeddingModel is null ? null : embedder);
        var defaults = new TopicOptions();
        var topicOptions = defaults with
        {
            Clusters = o.Int("topics"),
            MinSize = o.Int("min-size") ?? defaults.MinSize,
            Seed = o.Int("seed") ?? defaults.Seed,
        };
        var outPath = o.Value("out");
        using var outFile = outPath is null ? null : OutputFile.Claim(outPath);
        var texts = data.Rows.Select(r => r.Text).ToArray();
        TopicsResult result = null!;
        WithProgress(error, (progress, _) =>
        {
            var stage = "embedding comments";
            result = EmergingTopics.Find(texts, embedder, classifier, topicOptions,
                new Relay(n => progress.Report(new TrainingProgress(stage, n, texts.Length))), data.Rows.Select(r => r.Context).ToArray());
        });
        output.WriteLine(classifier is null
            ? $"{result.Comments} comments; topics among all of them:"
            : $"{result.Comments} comments; {result.Uncovered} not covered by any theme of '{classifier.Model.Framework.Name}'; topics among those, " +
              "furthest from the themes first (novelty 1: far from every theme; 0: a theme nearly claimed them):");
        if (result.Topics.Count == 0)
        {
            output.WriteLine("no topic with enough comments");
        }
        var rank = 0;
        foreach (var topic in result.Topics)
        {
            output.WriteLine(topic.NearestTheme is null
                ? $"{++rank}. {topic.Name} ({topic.Count} comments)"
                : string.Create(CultureInfo.InvariantCulture,
                    $"{++rank}. {topic.Name} ({topic.Count} comments; novelty {topic.Novelty:F2}; nearest theme '{topic.NearestTheme}' for {topic.NearestShare:P0} of them)"));
            foreach (var example in topic.Examples)
            {
                var line = example.ReplaceLineEndings(" ");
                output.WriteLine($"     \"{(line.Length > 120 ? line[..117] + "..." : line)}\"");
            }
        }
        if (outFile is not null)
        {
            // Each topic's comments, most typical first, so an organisation can read them all.
            WriteCsv(outFile, [o.Value("id-column") ?? "row", "topic", "name"], result.Topics.SelectMany((topic, t) =>
                topic.Comments.Select(i => new[] { data.Rows[i].Id, (t + 1).ToString(CultureInfo.InvariantCulture), topic.Name })));
            output.WriteLine($"each topic's comments written to {outPath}");
        }
        return 0;
    }

    /// <summary>Writes a header and records to a claimed output file, then puts the file in place.</summary>
    private static void WriteCsv(OutputFile file, string[] header, IEnumerable<string[]> records)
    {
        using (var writer = new StreamWriter(file.Stream, leaveOpen: true))
        using (var csv = CsvWriter.Create(writer, new CsvWriterOptions(), leaveOpen: true))
        {
            csv.WriteHeader(header);
            foreach (var record in records)
            {
                csv.WriteRecord(record);
            }
        }
        file.Commit();
    }

    private static (InsightsModel, FeedbackClassifier, MiniLmEmbedder?) LoadModel(Options o)
    {
        var expected = o.Value("framework") is { } frameworkPath ? Framework.Load(frameworkPath) : null;
        var model = InsightsModel.Load(o.Required("model"), expected);
        var embedder = model.EmbeddingModel is null ? null : MiniLmEmbedder.For(model.EmbeddingModel);
        return (model, new FeedbackClassifier(model, embedder is null ? null : new CachingEmbedder(embedder, tokenCapacity: ClassifyTokenCache)), embedder);
    }

    // Classifying reads each comment once; word pieces (about 60 KB a comment) are kept only for the first few
    // thousand distinct comments, where repeats such as "Nothing" or "All good" are found.
    private const int ClassifyTokenCache = 2_000;

    private static void ReportRead(FeedbackData data, string path, TextWriter output, TextWriter error)
    {
        output.WriteLine($"read {data.Rows.Count} comments from {path}" + (data.SkippedEmpty > 0 ? $"; skipped {data.SkippedEmpty} rows with empty text" : ""));
        if (data.ReadAs is { } encoding)
        {
            error.WriteLine($"warning: {path} is not UTF-8; it was read as {encoding} (as Excel saves CSV files on Windows)");
        }
        foreach (var column in data.MissingContext)
        {
            error.WriteLine($"warning: the model uses column '{column}' as context, and {path} does not have it: its comments are classified without it, which is less accurate");
        }
        if (data.Issues.Count == 0)
        {
            return;
        }
        error.WriteLine($"warning: {data.Issues.Count} unusable values:");
        foreach (var issue in data.Issues.Take(MaxIssuesShown))
        {
            error.WriteLine($"  {issue}");
        }
        if (data.Issues.Count > MaxIssuesShown)
        {
            error.WriteLine($"  ... and {data.Issues.Count - MaxIssuesShown} more");
        }
    }

    /// <summary>Runs work with Spectre.Console progress bars on the error stream when it is a terminal; silently otherwise.</summary>
    private static void WithProgress(TextWriter error, Action<IProgress<TrainingProgress>, CancellationToken> work)
    {
        var interactive = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        if (!interactive)
        {
            // Logs get one line per stage and per quarter of it, not a redrawn bar.
            var gate = new Lock();
            var last = new Dictionary<string, int>(StringComparer.Ordinal);
            work(new Relay<TrainingProgress>(p =>
            {
                lock (gate)
                {
                    var quarter = p.Total <= 0 ? 4 : Math.Clamp(p.Done * 4 / p.Total, 0, 4);
                    if (last.TryGetValue(p.Stage, out var shown) && shown >= quarter)
                    {
                        return;
                    }
                    last[p.Stage] = quarter;
                    error.WriteLine($"{p.Stage}: {p.Done}/{p.Total}");
                }
            }), CancellationToken.None);
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var gate = new Lock();
                work(new Relay<TrainingProgress>(p =>
                {
                    lock (gate)
                    {
                        if (!tasks.TryGetValue(p.Stage, out var task))
                        {
                            foreach (var other in tasks.Values)
                            {
                                other.Value = other.MaxValue;
                            }
                            task = context.AddTask(p.Stage, maxValue: Math.Max(1, p.Total));
                            tasks[p.Stage] = task;
                        }
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                    }
                }), CancellationToken.None);
                foreach (var task in tasks.Values)
                {
                    task.Value = task.MaxValue;
                }
            });
    }

    private sealed class Relay(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    private sealed class Relay<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class UsageException(string message) : Exception(message);

    /// <summary>"--name value" and "--flag" options.</summary>
    private sealed class Options
    {
        private static readonly HashSet<string> Flags = ["no-embeddings", "full-precision"];
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

        public static Options Parse(string[] args)
        {
            var options = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Length < 3)
                {
                    throw new UsageException($"unexpected argument '{args[i]}'");
                }
                var name = args[i][2..];
                if (Flags.Contains(name))
                {
                    options._values[name] = "true";
                    continue;
                }
                if (i + 1 >= args.Length)
                {
                    throw new UsageException($"--{name} needs a value");
                }
                options._values[name] = args[++i];
            }
            return options;
        }

        public void Allow(params string[] names)
        {
            foreach (var name in _values.Keys)
            {
                if (!names.Contains(name))
                {
                    throw new UsageException($"unknown option --{name}");
                }
            }
        }

        public string? Value(string name) => _values.GetValueOrDefault(name);

        public string Required(string name) => Value(name) ?? throw new UsageException($"--{name} is required");

        public bool Flag(string name) => _values.ContainsKey(name);

        public int? Int(string name)
        {
            if (Value(name) is not { } value)
            {
                return null;
            }
            return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result)
                ? result
                : throw new UsageException($"--{name} must be a whole number, not '{value}'");
        }
    }
}
