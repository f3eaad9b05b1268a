using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.Insights;

namespace Drawbridge.Listening;

/// <summary>A theme's cross-validated quality, as the settings page and the API show it.</summary>
public sealed record ThemeQuality(string Id, string Name, bool Critical, int Examples, bool Learned, int Support, double Precision, double Recall, double F1);

/// <summary>A model's cross-validated quality: per theme, and overall.</summary>
public sealed record ModelQuality(int Folds, IReadOnlyList<ThemeQuality> Themes, double MicroF1, double MacroF1Learned, double? SentimentAccuracy)
{
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static ModelQuality? Parse(string? json) => string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<ModelQuality>(json, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}

/// <summary>How far a training run is: written by the training thread, read by the job that stores it.</summary>
public sealed class TrainingStatus
{
    private volatile string _stage = "starting";
    private int _done;
    private int _total;

    public string Stage => _stage;
    public int Done => Volatile.Read(ref _done);
    public int Total => Volatile.Read(ref _total);

    public void Set(string stage, int done, int total)
    {
        _stage = stage.Length > 100 ? stage[..100] : stage;
        Volatile.Write(ref _done, done);
        Volatile.Write(ref _total, total);
    }
}

/// <summary>
/// The insights engine as the server runs it: one MiniLM embedder shared by every organisation's classifier, the
/// classifiers of the models in use (loaded once, kept while the process runs), and training on a thread of its own at
/// a lower scheduling priority, so a training run takes what the web leaves idle rather than what it needs.
/// </summary>
public sealed class InsightsEngine(IConfiguration config, ILogger<InsightsEngine> log) : IDisposable
{
    public const string TrainingNiceSetting = "Drawbridge:Insights:TrainingNice";
    public const string TrainingThreadsSetting = "Drawbridge:Insights:TrainingThreads";
    public const int DefaultTrainingNice = 10;
    public const int CrossValidationFolds = 3;

    // MiniLM's session is thread-safe and the same for every server: one per process (tests start many servers).
    private static readonly ConcurrentDictionary<string, Lazy<MiniLmEmbedder>> Embedders = new();
    private readonly ConcurrentDictionary<long, Lazy<FeedbackClassifier>> _classifiers = new();

    // The default model's training data ship with the server, so every server in a process trains the same model:
    // trained once per process (tests start many servers), and stored in each database as any other model.
    private static readonly ConcurrentDictionary<string, Lazy<Task<(byte[] Model, string Quality)>>> TrainedDefaults = new();

    /// <summary>The shared embedder a model names (all cores: classification keeps up with arrivals this way).</summary>
    public MiniLmEmbedder EmbedderFor(string modelName) =>
        Embedders.GetOrAdd(modelName, name => new Lazy<MiniLmEmbedder>(() => MiniLmEmbedder.For(name))).Value;

    /// <summary>The classifier of a stored model, loaded on first use from its bytes.</summary>
    public FeedbackClassifier Classifier(long modelId, Func<byte[]> load) =>
        _classifiers.GetOrAdd(modelId, id => new Lazy<FeedbackClassifier>(() =>
        {
            var model = InsightsModel.Read(new MemoryStream(load(), writable: false), $"model {id}");
            return new FeedbackClassifier(model, model.EmbeddingModel is null ? null : EmbedderFor(model.EmbeddingModel));
        })).Value;

    public bool IsLoaded(long modelId) => _classifiers.TryGetValue(modelId, out var c) && c.IsValueCreated;

    // Per organisation, the model (and when it was switched on) whose pass over items other models sorted ran on this node.
    private readonly ConcurrentDictionary<long, (long Model, DateTime? ActivatedAt)> _resorted = new();

    /// <summary>
    /// Whether this node has already looked through an organisation's items for ones another model sorted, with this
    /// model in use since it was switched on: the look scans every item, so it runs once per switch (and after a restart),
    /// not per batch. A model switched off and on again on another node has a new switch-on time, so it looks again.
    /// </summary>
    public bool HasResorted(long organisationId, long modelId, DateTime? activatedAt) =>
        _resorted.TryGetValue(organisationId, out var done) && done == (modelId, activatedAt);

    public void MarkResorted(long organisationId, long modelId, DateTime? activatedAt) => _resorted[organisationId] = (modelId, activatedAt);

    /// <summary>
    /// Trains a model and measures it by cross-validation (each fold's comments classified by a model trained on the
    /// others), on a thread of its own at lower priority. The embeddings are computed once and shared by the folds.
    /// </summary>
    public Task<(byte[] Model, ModelQuality Quality)> TrainAsync(Framework framework, IReadOnlyList<FeedbackRow> rows, TrainingStatus status, CancellationToken ct)
    {
        var threads = Math.Max(1, config.GetValue(TrainingThreadsSetting, 1));
        var nice = config.GetValue(TrainingNiceSetting, DefaultTrainingNice);
        return RunBelowNormal(nice, () => Train(framework, rows, threads, status, ct));
    }

    /// <summary>
    /// The default model, trained once per process from the files that ship with the server. Every caller awaits the
    /// one training run; none holds a thread-pool thread while it runs (a process with many servers would otherwise
    /// starve its pool for as long as training takes). A failed or cancelled run is forgotten, so the next caller retries.
    /// </summary>
    public async Task<(byte[] Model, ModelQuality Quality)> TrainDefaultAsync(Framework framework, IReadOnlyList<FeedbackRow> rows, TrainingStatus status, CancellationToken ct)
    {
        var key = framework.Name + "\n" + framework.Version + "\n" + rows.Count;
        var lazy = TrainedDefaults.GetOrAdd(key, _ => new Lazy<Task<(byte[], string)>>(async () =>
        {
            var (model, quality) = await TrainAsync(framework, rows, status, ct);
            return (model, quality.ToJson());
        }));
        try
        {
            var (model, quality) = await lazy.Value.WaitAsync(ct);
            return (model, ModelQuality.Parse(quality)!);
        }
        catch when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            TrainedDefaults.TryRemove(new KeyValuePair<string, Lazy<Task<(byte[], string)>>>(key, lazy));
            throw;
        }
    }

    private (byte[] Model, ModelQuality Quality) Train(Framework framework, IReadOnlyList<FeedbackRow> rows, int threads, TrainingStatus status, CancellationToken ct)
    {
        using var miniLm = new MiniLmEmbedder(parallelism: threads);
        var embedder = new CachingEmbedder(miniLm, capacity: rows.Count + 16, tokenCapacity: rows.Count + 16);
        var options = new TrainingOptions { Parallelism = threads };
        var folds = rows.Count >= 30 ? CrossValidationFolds : 0;
        var predictions = new Classification[rows.Count];
        var order = Enumerable.Range(0, rows.Count).OrderBy(i => new Random(options.Seed + i).Next()).ToArray();
        for (var f = 0; f < folds; f++)
        {
            var fold = f;
            var test = order.Where((_, k) => k % folds == fold).ToArray();
            var train = order.Where((_, k) => k % folds != fold).Select(i => rows[i]).ToList();
            var stage = $"checking quality, part {fold + 1} of {folds}";
            var foldModel = InsightsTrainer.Train(framework, train, embedder, options, new Progress(status, stage), ct);
            var classified = new FeedbackClassifier(foldModel, embedder).ClassifyMany(test.Select(i => rows[i]).ToList());
            for (var k = 0; k < test.Length; k++)
            {
                predictions[test[k]] = classified[k];
            }
        }
        var model = InsightsTrainer.Train(framework, rows, embedder, options, new Progress(status, "training the model"), ct);
        using var buffer = new MemoryStream();
        model.Write(buffer);
        var quality = folds == 0
            ? new ModelQuality(0, ThemesOf(model, null), 0, 0, null)
            : QualityOf(model, Evaluator.Evaluate(model, rows, predictions), folds);
        status.Set("done", 1, 1);
        return (buffer.ToArray(), quality);
    }

    private static ModelQuality QualityOf(InsightsModel model, EvaluationReport report, int folds) =>
        new(folds, ThemesOf(model, report), report.MicroF1, report.MacroF1Learned, report.SentimentThreeClass);

    private static List<ThemeQuality> ThemesOf(InsightsModel model, EvaluationReport? report) =>
        model.Framework.Themes.Select((t, i) =>
        {
            var score = report?.Themes[i];
            var learned = model.TrainingCounts[i] >= model.MinExamples;
            return new ThemeQuality(t.Id, t.DisplayName, t.Critical, model.TrainingCounts[i], learned, score?.Support ?? 0,
                score?.Precision ?? 0, score?.Recall ?? 0, score?.F1 ?? 0);
        }).ToList();

    private sealed class Progress(TrainingStatus status, string outer) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => status.Set($"{outer}: {value.Stage}", value.Done, value.Total);
    }

    /// <summary>Runs work on a new thread whose Linux nice value is raised (lower priority); elsewhere at normal priority.</summary>
    private Task<T> RunBelowNormal<T>(int nice, Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            if (nice > 0 && OperatingSystem.IsLinux())
            {
                try
                {
                    // Threads the work starts inherit it (the trainer's own workers, ONNX Runtime's).
                    _ = SetPriority(0, GetThreadId(), Math.Clamp(nice, 1, 19));
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
                {
                    log.LogDebug("Could not lower the training thread's priority: {Message}", e.Message);
                }
            }
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = "insights-training" };
        thread.Start();
        return done.Task;
    }

    // Blittable arguments, so plain DllImports need no marshalling (LibraryImport would need unsafe code enabled).
    [DllImport("libc", EntryPoint = "setpriority", ExactSpelling = true)]
    private static extern int SetPriority(int which, int who, int prio);

    [DllImport("libc", EntryPoint = "gettid", ExactSpelling = true)]
    private static extern int GetThreadId();

    public void Dispose() => _classifiers.Clear();
}

/// <summary>
/// Words that mark feedback as critical (safety, harm, distress) whatever the organisation's framework: a framework's
/// critical themes catch what its labelled data taught, these catch what no model should be trusted to miss.
/// </summary>
public static partial class CriticalWords
{
    [GeneratedRegex(
        @"\b(suicid\w*|kill(ing)? (myself|himself|herself|themselves)|end(ing)? (my|his|her|their) (own )?life|self[- ]?harm\w*|overdos\w*|" +
        @"assault\w*|abus(e|ed|ive)|neglect(ed)?|safeguarding|unsafe|not safe|in danger|dangerous|(hit|hurt|harmed|injured) (me|him|her|them|my)|" +
        @"can'?t cope|at breaking point|distress(ed)?|stopped breathing|collapsed|(had a|a|the) fall|fell (over|out|on|down|off)|" +
        @"wrong (medication|medicine|dose|drug)|someone else'?s (medication|medicine|tablets))\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex Pattern();

    public static bool Match(string text)
    {
        try
        {
            return Pattern().IsMatch(text.Replace('’', '\''));
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
