using System.Collections.Concurrent;
using System.Diagnostics;

namespace Drawbridge.Insights;

/// <summary>How to train. The defaults are the ones measured on the development data (see docs/decisions).</summary>
public sealed record TrainingOptions
{
    public int Seed { get; init; } = 17;

    /// <summary>Themes with fewer training examples get no classifier and are never predicted.</summary>
    public int MinExamples { get; init; } = 8;

    /// <summary>Folds of out-of-fold predictions used to tune per-theme thresholds (multi-label frameworks).</summary>
    public int ValidationFolds { get; init; } = 3;

    public bool UseEmbeddings { get; init; } = true;
    /// <summary>Scale of the (unit-length) embedding against the (unit-length) TF-IDF vector; 2 measured best.</summary>
    public float EmbeddingWeight { get; init; } = 2f;
    public int MinDocuments { get; init; } = 2;
    public int MaxTerms { get; init; } = 50_000;
    public bool CharNgrams { get; init; }

    /// <summary>Use context columns (<see cref="Framework.ContextColumns"/>, or those chosen from the data when it names none).</summary>
    public bool UseContext { get; init; } = true;

    /// <summary>
    /// The share of training comments shown without their context, so that comments without it are read well too
    /// (decision 0004: 0.25 costs nothing measurable with the context and recovers most of what is lost without it).
    /// </summary>
    public float ContextDropout { get; init; } = 0.25f;

    /// <summary>The value of a context feature, beside the unit-length TF-IDF part.</summary>
    public float ContextWeight { get; init; } = 1f;

    /// <summary>
    /// The token attention head reads the context features too (a weight per theme and feature in its logit). Off: on the
    /// development data it moved nothing (decision 0004), the other heads carry the context into the mix.
    /// </summary>
    public bool ContextInAttention { get; init; }

    /// <summary>Also train a three-class sentiment head and average it with the point-scale head for the class decision.</summary>
    public bool SentimentClassHead { get; init; } = true;

    /// <summary>Keep the threshold-tuning fold models and average them with the final model (bagging).</summary>
    public bool EnsembleFolds { get; init; }

    /// <summary>Cap on the weight of a theme's positive examples (negatives weigh 1), against class imbalance.</summary>
    public float MaxPositiveWeight { get; init; } = 10f;

    /// <summary>How strongly a rare theme's threshold is pulled towards the threshold shared by all themes.</summary>
    public float ThresholdPrior { get; init; } = 10f;

    /// <summary>
    /// A theme's threshold is the best point of its out-of-fold F1 curve after averaging each point with its neighbours
    /// within this many hundredths, so a narrow peak of a few lucky comments does not set it (0: the raw curve).
    /// </summary>
    public int ThresholdSmoothing { get; init; }

    public LinearTrainingOptions Themes { get; init; } = new() { L2 = 1e-4f };

    /// <summary>Settings of the softmax theme head; null means those of the one-vs-rest theme models.</summary>
    public LinearTrainingOptions? SoftmaxTheme { get; init; }
    public LinearTrainingOptions Sentiment { get; init; } = new() { Epochs = 5, L2 = 1e-5f };

    /// <summary>
    /// Nearest training neighbours (by sentence embedding) whose theme and sentiment-class shares become extra
    /// features; 0 turns them off. Needs embeddings.
    /// </summary>
    public int NeighbourK { get; init; } = 20;

    /// <summary>A neighbour weighs exp(cosine similarity / temperature): small values trust the closest ones most.</summary>
    public float NeighbourTemperature { get; init; } = 0.05f;

    /// <summary>Scale of the neighbour shares against the unit TF-IDF vector.</summary>
    public float NeighbourWeight { get; init; } = 1f;

    /// <summary>
    /// Also fit one softmax over the themes (and "no theme"), each comment's labels sharing its probability, and mix
    /// its probabilities into the theme scores by a weight chosen on validation (multi-label frameworks). Themes then
    /// compete for a comment, which one-vs-rest models cannot express.
    /// </summary>
    public bool SoftmaxThemeHead { get; init; } = true;

    /// <summary>
    /// Also learn a label-wise attention head over the comment's MiniLM word-piece vectors and mix its probabilities into
    /// the theme scores by a weight chosen on validation (multi-label frameworks; needs an embedder that gives word pieces).
    /// </summary>
    public bool TokenAttention { get; init; } = true;
    public int TokenAttentionEpochs { get; init; } = 16;
    public float TokenAttentionLearningRate { get; init; } = 0.005f;
    public float TokenAttentionL2 { get; init; } = 1e-5f;

    /// <summary>Queries per theme in the token attention head (at most; see <see cref="TokenAttentionBudget"/>).</summary>
    public int TokenAttentionHeads { get; init; } = 2;

    /// <summary>
    /// Train the token attention head as one softmax over the learned themes and "no theme" (a comment's themes sharing its
    /// probability), so themes compete for a comment's words; otherwise as a logistic per theme.
    /// </summary>
    public bool TokenAttentionSoftmax { get; init; } = true;

    /// <summary>
    /// The softmax attention head is used only while comments with a theme carry at most this many learned themes on
    /// average; on denser multi-label data a logistic per theme did as well or better (decision 0004).
    /// </summary>
    public float SoftmaxAttentionMaxLabels { get; init; } = 1.5f;

    /// <summary>Largest mix weight of the token attention head, in tenths.</summary>
    public int MaxAttentionBlend { get; init; } = InsightsTrainer.DefaultMaxAttentionBlend;

    /// <summary>
    /// Training the attention head costs about (word pieces of all comments) × (learned themes) × (heads). Heads beyond
    /// the first are only trained while that stays within this budget (about two minutes of training on two cores before
    /// the attention head's matrix kernels, less since; BENCHMARKS.md), so long comments keep training within minutes:
    /// 6,500 comments of the development data (about 19 word pieces each on average) and 40 themes are about 5 million
    /// per head; the same number of comments three times as long, about 15 million.
    /// </summary>
    public long TokenAttentionBudget { get; init; } = 13_000_000;

    /// <summary>Also mix the neighbours' theme shares into the theme scores, by a weight chosen on validation (multi-label frameworks).</summary>
    public bool NeighbourBlend { get; init; } = true;

    /// <summary>
    /// Find neighbours on the embedder's similarity part only (<see cref="ISentenceEmbedder.SimilarityDimension"/>), not
    /// on the whole vector.
    /// </summary>
    public bool NeighboursBySimilarityPart { get; init; } = true;

    /// <summary>
    /// Whether a comment with no theme over its threshold gets its most likely theme anyway: null decides on the
    /// out-of-fold predictions (multi-label frameworks).
    /// </summary>
    public bool? AtLeastOneTheme { get; init; }

    /// <summary>Threads for cross-fitting; 0 means one per core.</summary>
    public int Parallelism { get; init; }

    /// <summary>
    /// Called with each part's out-of-fold theme scores before the mix is chosen, for the benchmark's analysis of the
    /// mix and thresholds. When set, the softmax and attention heads are kept even when the mix gives them no weight,
    /// so their scores on new comments can be read too (<see cref="InsightsModel.Parts"/>); predictions do not change.
    /// </summary>
    internal Action<OutOfFoldScores>? OutOfFold { get; init; }
}

/// <summary>
/// The validation folds' out-of-fold theme scores of each part of the mix (row-major, rows × learned themes) and the
/// 0/1 targets. Shares, Soft and Attention are null when that part is off.
/// </summary>
internal sealed record OutOfFoldScores(int Rows, int Width, float[] Linear, float[]? Shares, float[]? Soft, float[]? Attention, float[] Targets);

/// <summary>Progress of a training run: a named stage and how far through it is.</summary>
public readonly record struct TrainingProgress(string Stage, int Done, int Total);

/// <summary>Learns a framework's themes and sentiment from labelled comments.</summary>
public static class InsightsTrainer
{
    public static InsightsModel Train(Framework framework, IReadOnlyList<FeedbackRow> rows, ISentenceEmbedder? embedder,
        TrainingOptions? options = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new TrainingOptions();
        if (rows.Count == 0)
        {
            throw new InsightsException("no comments to train on");
        }
        var texts = rows.Select(r => r.Text).ToArray();
        float[][]? dense = null;
        float[][]? tokens = null;
        if (options.UseEmbeddings && embedder is not null)
        {
            progress?.Report(new TrainingProgress("embedding comments", 0, texts.Length));
            var stage = new StageProgress(progress, "embedding comments", texts.Length);
            if (options.TokenAttention && !framework.IsSingleLabel && embedder is ITokenEmbedder { ProvidesTokens: true } tokenEmbedder)
            {
                (dense, tokens) = tokenEmbedder.EmbedWithTokens(texts, stage);
            }
            else
            {
                dense = embedder.Embed(texts, stage);
            }
        }
        progress?.Report(new TrainingProgress("learning vocabulary", 0, 1));
        var features = TextFeatures.Learn(texts, options.MinDocuments, options.MaxTerms, options.CharNgrams);
        // The model's framework names the context columns it uses, chosen from the data when the framework did not.
        var contextColumns = !options.UseContext ? []
            : framework.ContextColumns ?? ContextDetection.Choose(rows).Where(c => c.Used).Select(c => c.Column).ToArray();
        framework = framework with { ContextColumns = contextColumns };
        features = features.WithContext(contextColumns, rows.Select(r => r.Context), options.MinDocuments, options.ContextWeight);
        progress?.Report(new TrainingProgress("learning vocabulary", 1, 1));
        return Train(framework, rows, dense, tokens, features, dense is null ? null : embedder, options, progress, cancellationToken);
    }

    private static InsightsModel Train(Framework framework, IReadOnlyList<FeedbackRow> rows, float[][]? dense, float[][]? tokens, TextFeatures features,
        ISentenceEmbedder? embedder, TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var themeCount = framework.Themes.Count;
        var counts = new int[themeCount];
        foreach (var row in rows)
        {
            foreach (var t in row.Themes)
            {
                counts[t]++;
            }
        }
        var learned = Enumerable.Range(0, themeCount).Where(t => counts[t] >= options.MinExamples).ToArray();
        var targets = ThemeTargets(rows, learned);
        NeighbourLabels? neighbours = null;
        float[][]? shares = null;
        var neighboursUsable = options.NeighbourWeight > 0 || (options.NeighbourBlend && !framework.IsSingleLabel);
        if (dense is not null && options.NeighbourK > 0 && rows.Count > 1 && neighboursUsable)
        {
            progress?.Report(new TrainingProgress("finding neighbours", 0, 1));
            neighbours = NeighbourLabels.Build(dense, NeighbourTargets(rows, learned, framework.Sentiment), NeighbourWidth(learned.Length, framework.Sentiment),
                options.NeighbourK, options.NeighbourTemperature, options.NeighboursBySimilarityPart ? embedder?.SimilarityDimension ?? 0 : 0);
            shares = neighbours.LeaveOneOut(options.Parallelism, cancellationToken);
            progress?.Report(new TrainingProgress("finding neighbours", 1, 1));
        }
        // A share of the training comments is shown without its context (as if the column were empty), so the heads also
        // learn to read the text alone, which is what they get when a file to classify lacks a context column.
        var dropRandom = new Random(options.Seed + 97);
        var contexts = rows.Select(r => dropRandom.NextDouble() < options.ContextDropout ? null : r.Context).ToArray();
        var x = FeedbackClassifier.Featurize(features, dense, options.EmbeddingWeight, shares, options.NeighbourWeight, rows.Select(r => r.Text).ToArray(),
            framework.ContextColumns, contexts);
        var denseDim = (embedder?.Dimension ?? 0) + (neighbours is not null && options.NeighbourWeight > 0 ? neighbours.Width : 0);
        var positiveWeights = learned.Select(t =>
            Math.Clamp(MathF.Sqrt((rows.Count - counts[t]) / (float)Math.Max(1, counts[t])), 1f, options.MaxPositiveWeight)).ToArray();

        var thresholds = Enumerable.Repeat(0.5f, learned.Length).ToArray();
        LinearModel[] extraModels = [];
        var atLeastOne = false;
        var blend = 0f;
        var softBlend = 0f;
        var attentionBlend = 0f;
        var softTargets = SoftTargets(targets, rows.Count, learned.Length);
        var parallelism = options.Parallelism > 0 ? options.Parallelism : Environment.ProcessorCount;

        // Every model is one job, and all jobs share the cores: the validation folds' models (whose out-of-fold
        // predictions choose the mix and the thresholds) and the final models, longest first (the attention heads), so
        // no core waits for a fold while another trains. The final softmax and attention heads only matter when the
        // validation mix gives them a weight; they are trained alongside anyway (usually it does) and dropped if not.
        // Each job has its own seed, so the result does not depend on the order in which jobs run.
        var validate = learned.Length > 0 && !framework.IsSingleLabel && options.ValidationFolds >= 2;
        var folds = validate ? Folds(rows.Count, options.ValidationFolds, options.Seed) : [];
        // Per validation fold, the rows its models learn from and the rows they predict (out of fold).
        var foldRows = Enumerable.Range(0, validate ? options.ValidationFolds : 0)
            .Select(f => Enumerable.Range(0, rows.Count).Where(i => folds[i] != f).ToArray()).ToArray();
        var heldOut = Enumerable.Range(0, foldRows.Length)
            .Select(f => Enumerable.Range(0, rows.Count).Where(i => folds[i] == f).ToArray()).ToArray();
        var foldX = foldRows.Select(train => train.Select(i => x[i]).ToArray()).ToArray();
        var oof = validate ? new float[rows.Count * learned.Length] : [];
        var oofSoft = validate && options.SoftmaxThemeHead ? new float[rows.Count * learned.Length] : null;
        var oofAttention = validate && tokens is not null ? new float[rows.Count * learned.Length] : null;
        var foldModels = new LinearModel[foldRows.Length];
        var allRows = Enumerable.Range(0, rows.Count).ToArray();
        var jobs = new List<Action>();
        var attentionOptions = tokens is null ? options : options with
        {
            TokenAttentionHeads = AttentionHeads(tokens.Sum(t => (long)t.Length) / Math.Max(1, dense![0].Length), learned.Length, options),
        };
        TokenAttention? attentionModel = null;
        if (oofAttention is not null)
        {
            var attentionSoftmax = AttentionAsSoftmax(targets, rows.Count, learned.Length, options);
            var attentionTargets = attentionSoftmax ? softTargets : targets;
            // The comments' context features (the sparse part's last ones), when there are any and the head reads them.
            var attentionContexts = options.ContextInAttention && features.ContextShares.Count > 0
                ? x.Select(v => features.DenseContext(v.Indices, v.Values)!).ToArray() : null;
            var attentionWidth = attentionSoftmax ? learned.Length + 1 : learned.Length;
            attentionOptions = attentionOptions with { TokenAttentionSoftmax = attentionSoftmax };
            jobs.Add(() => attentionModel = FitAttention(allRows, tokens!, dense!, attentionContexts, attentionTargets, attentionWidth, positiveWeights, attentionOptions, options.Seed + 71, cancellationToken));
            for (var f = 0; f < foldRows.Length; f++)
            {
                var fold = f;
                jobs.Add(() =>
                {
                    var attention = FitAttention(foldRows[fold], tokens!, dense!, attentionContexts, attentionTargets, attentionWidth, positiveWeights, attentionOptions, options.Seed + fold + 71, cancellationToken);
                    var q = new float[attentionWidth];
                    foreach (var i in heldOut[fold])
                    {
                        attention.Predict(tokens![i], dense![i], q, attentionContexts is null ? default : attentionContexts[i]);
                        q.AsSpan(0, learned.Length).CopyTo(oofAttention.AsSpan(i * learned.Length, learned.Length));
                    }
                });
            }
        }
        LinearModel? themeModel = null;
        if (learned.Length > 0)
        {
            jobs.Add(() => themeModel = LinearTrainer.Fit(x, targets, learned.Length, features.Count, denseDim, softmax: false, positiveWeights,
                options.Themes with { Seed = options.Seed }, cancellationToken));
        }
        for (var f = 0; f < foldRows.Length; f++)
        {
            var fold = f;
            var train = foldRows[f];
            jobs.Add(() =>
            {
                var model = LinearTrainer.Fit(foldX[fold], Gather(targets, train, learned.Length), learned.Length,
                    features.Count, denseDim, softmax: false, positiveWeights, options.Themes with { Seed = options.Seed + fold + 1 }, cancellationToken);
                foldModels[fold] = model;
                var p = new float[learned.Length];
                foreach (var i in heldOut[fold])
                {
                    model.Predict(x[i], p);
                    p.CopyTo(oof.AsSpan(i * learned.Length));
                }
            });
            if (oofSoft is not null)
            {
                jobs.Add(() =>
                {
                    var soft = LinearTrainer.Fit(foldX[fold], Gather(softTargets, train, learned.Length + 1), learned.Length + 1,
                        features.Count, denseDim, softmax: true, null, (options.SoftmaxTheme ?? options.Themes) with { Seed = options.Seed + fold + 51 }, cancellationToken);
                    var q = new float[learned.Length + 1];
                    foreach (var i in heldOut[fold])
                    {
                        soft.Predict(x[i], q);
                        q.AsSpan(0, learned.Length).CopyTo(oofSoft.AsSpan(i * learned.Length));
                    }
                });
            }
        }
        LinearModel? softModel = null;
        if (oofSoft is not null)
        {
            jobs.Add(() => softModel = LinearTrainer.Fit(x, softTargets, learned.Length + 1, features.Count, denseDim, softmax: true, null,
                (options.SoftmaxTheme ?? options.Themes) with { Seed = options.Seed + 51 }, cancellationToken));
        }
        LinearModel? sentimentModel = null;
        LinearModel? sentimentClassModel = null;
        int[] sentimentValues = [];
        if (framework.Sentiment is { } scale)
        {
            jobs.Add(() => (sentimentModel, sentimentValues) = TrainSentiment(rows, x, features.Count, denseDim, scale, options, cancellationToken));
            if (options.SentimentClassHead)
            {
                jobs.Add(() => sentimentClassModel = TrainSentimentClasses(rows, x, features.Count, denseDim, scale, options, cancellationToken));
            }
        }
        RunJobs(jobs, parallelism, progress, cancellationToken);

        if (validate)
        {
            options.OutOfFold?.Invoke(new OutOfFoldScores(rows.Count, learned.Length, oof,
                options.NeighbourBlend && shares is not null ? shares.SelectMany(r => r.Take(learned.Length)).ToArray() : null, oofSoft, oofAttention, targets));
            (blend, softBlend, attentionBlend, oof) = TuneMix(oof, options.NeighbourBlend ? shares : null, oofSoft, oofAttention, targets, rows.Count, learned.Length, options.MaxAttentionBlend);
            (thresholds, atLeastOne) = TuneThresholds(oof, targets, rows.Count, learned.Length, options.ThresholdPrior, options.ThresholdSmoothing);
            atLeastOne = options.AtLeastOneTheme ?? atLeastOne;
            if (options.EnsembleFolds)
            {
                extraModels = foldModels;
            }
        }
        if (options.OutOfFold is null)
        {
            softModel = softBlend > 0 ? softModel : null;
            attentionModel = attentionBlend > 0 ? attentionModel : null;
        }

        return new InsightsModel
        {
            Framework = framework,
            Features = features,
            EmbeddingModel = embedder?.ModelName,
            EmbeddingDimension = embedder?.Dimension ?? 0,
            EmbeddingWeight = options.EmbeddingWeight,
            // Kept only when something reads it: as features, or mixed into the scores.
            Neighbours = options.NeighbourWeight > 0 || blend > 0 ? neighbours : null,
            NeighbourWeight = options.NeighbourWeight,
            NeighbourBlend = blend,
            SoftThemeModel = softModel,
            SoftBlend = softModel is null ? 0 : softBlend,
            TokenAttention = attentionModel,
            AttentionBlend = attentionModel is null ? 0 : attentionBlend,
            LearnedThemes = learned,
            ThemeModel = themeModel,
            ExtraThemeModels = extraModels,
            Thresholds = thresholds,
            AtLeastOneTheme = atLeastOne,
            TrainingCounts = counts,
            MinExamples = options.MinExamples,
            TrainingRows = rows.Count,
            SentimentModel = sentimentModel,
            SentimentValues = sentimentValues,
            SentimentClassModel = sentimentClassModel,
        };
    }

    private const string TrainingStage = "training models";

    /// <summary>The token attention head's largest mix weight by default, in tenths (<see cref="TrainingOptions.MaxAttentionBlend"/>).</summary>
    internal const int DefaultMaxAttentionBlend = 5;

    /// <summary>
    /// Whether the token attention head is one softmax: when the option allows it and comments with a theme carry at most
    /// <see cref="TrainingOptions.SoftmaxAttentionMaxLabels"/> learned themes on average.
    /// </summary>
    internal static bool AttentionAsSoftmax(float[] targets, int n, int width, TrainingOptions options)
    {
        if (!options.TokenAttentionSoftmax)
        {
            return false;
        }
        var labels = 0;
        var labelled = 0;
        for (var i = 0; i < n; i++)
        {
            var count = 0;
            for (var k = 0; k < width; k++)
            {
                count += targets[i * width + k] > 0.5f ? 1 : 0;
            }
            labels += count;
            labelled += count > 0 ? 1 : 0;
        }
        return labelled == 0 || labels <= options.SoftmaxAttentionMaxLabels * labelled;
    }

    /// <summary>The attention heads per theme that fit <see cref="TrainingOptions.TokenAttentionBudget"/>: at least one, at most the option's.</summary>
    internal static int AttentionHeads(long pieces, int themes, TrainingOptions options)
    {
        var perHead = Math.Max(1, pieces * themes);
        return (int)Math.Clamp(options.TokenAttentionBudget / perHead, 1, Math.Max(1, options.TokenAttentionHeads));
    }

    /// <summary>Runs the jobs on <paramref name="parallelism"/> threads, each taking the next job in list order when it is free.</summary>
    private static void RunJobs(List<Action> jobs, int parallelism, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var done = 0;
        progress?.Report(new TrainingProgress(TrainingStage, 0, jobs.Count));
        Parallel.ForEach(Partitioner.Create((IEnumerable<Action>)jobs, EnumerablePartitionerOptions.NoBuffering),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, job =>
            {
                job();
                progress?.Report(new TrainingProgress(TrainingStage, Interlocked.Increment(ref done), jobs.Count));
            });
    }

    private static TokenAttention FitAttention(int[] rows, float[][] tokens, float[][] dense, float[][]? contexts, float[] targets, int width, float[] positiveWeights,
        TrainingOptions options, int seed, CancellationToken cancellationToken) =>
        Insights.TokenAttention.Fit(rows.Select(i => tokens[i]).ToArray(), rows.Select(i => dense[i]).ToArray(), Gather(targets, rows, width), width,
            dense[0].Length, positiveWeights, options.TokenAttentionEpochs, options.TokenAttentionLearningRate, options.TokenAttentionL2, seed, cancellationToken, options.TokenAttentionHeads, options.TokenAttentionSoftmax,
            contexts is null ? null : rows.Select(i => contexts[i]).ToArray());

    private static (LinearModel?, int[]) TrainSentiment(IReadOnlyList<FeedbackRow> rows, FeatureVector[] x, int sparse, int dense,
        SentimentScale scale, TrainingOptions options, CancellationToken cancellationToken)
    {
        var labelled = Enumerable.Range(0, rows.Count).Where(i => rows[i].Sentiment is not null).ToArray();
        if (labelled.Length == 0)
        {
            return (null, []);
        }
        // Only points that occur get an output; a scale point never seen cannot be learned.
        var values = labelled.Select(i => rows[i].Sentiment!.Value).Distinct().Order().ToArray();
        var position = values.Select((v, k) => (v, k)).ToDictionary(p => p.v, p => p.k);
        var targets = new float[labelled.Length * values.Length];
        for (var r = 0; r < labelled.Length; r++)
        {
            targets[r * values.Length + position[rows[labelled[r]].Sentiment!.Value]] = 1f;
        }
        var model = LinearTrainer.Fit(labelled.Select(i => x[i]).ToArray(), targets, values.Length, sparse, dense, softmax: true, null,
            options.Sentiment with { Seed = options.Seed + 101 }, cancellationToken);
        _ = scale;
        return (model, values);
    }

    private static LinearModel? TrainSentimentClasses(IReadOnlyList<FeedbackRow> rows, FeatureVector[] x, int sparse, int dense,
        SentimentScale scale, TrainingOptions options, CancellationToken cancellationToken)
    {
        var labelled = Enumerable.Range(0, rows.Count).Where(i => rows[i].Sentiment is not null).ToArray();
        if (labelled.Length == 0)
        {
            return null;
        }
        var targets = new float[labelled.Length * 3];
        for (var r = 0; r < labelled.Length; r++)
        {
            targets[r * 3 + (int)scale.ClassOf(rows[labelled[r]].Sentiment!.Value)] = 1f;
        }
        return LinearTrainer.Fit(labelled.Select(i => x[i]).ToArray(), targets, 3, sparse, dense, softmax: true, null,
            options.Sentiment with { Seed = options.Seed + 202 }, cancellationToken);
    }

    internal static float[] ThemeTargets(IReadOnlyList<FeedbackRow> rows, int[] learned)
    {
        var position = new Dictionary<int, int>();
        for (var k = 0; k < learned.Length; k++)
        {
            position[learned[k]] = k;
        }
        var targets = new float[rows.Count * learned.Length];
        for (var i = 0; i < rows.Count; i++)
        {
            foreach (var t in rows[i].Themes)
            {
                if (position.TryGetValue(t, out var k))
                {
                    targets[i * learned.Length + k] = 1f;
                }
            }
        }
        return targets;
    }

    /// <summary>Targets for the softmax theme head: a comment's themes share it equally; a comment without one is "no theme" (last).</summary>
    private static float[] SoftTargets(float[] targets, int n, int width)
    {
        var soft = new float[n * (width + 1)];
        for (var i = 0; i < n; i++)
        {
            var labels = 0;
            for (var k = 0; k < width; k++)
            {
                labels += targets[i * width + k] > 0.5f ? 1 : 0;
            }
            for (var k = 0; k < width; k++)
            {
                soft[i * (width + 1) + k] = targets[i * width + k] > 0.5f ? 1f / labels : 0f;
            }
            if (labels == 0)
            {
                soft[i * (width + 1) + width] = 1f;
            }
        }
        return soft;
    }

    /// <summary>
    /// The mix of out-of-fold linear scores with leave-one-out neighbour shares, softmax-head probabilities and token
    /// attention probabilities (when given) that has the best macro-F1, each theme at its best threshold: weights from 0
    /// to 0.8 in steps of 0.1 (attention to <paramref name="maxAttention"/> tenths), the linear scores keeping at least 0.1. Returns the weights and the mixed scores.
    /// </summary>
    internal static (float Neighbours, float Soft, float Attention, float[] Scores) TuneMix(float[] scores, float[][]? shares, float[]? soft,
        float[]? attention, float[] targets, int n, int width, int maxAttention = DefaultMaxAttentionBlend, bool[]? counted = null)
    {
        var best = (0f, 0f, 0f);
        var bestScore = double.NegativeInfinity;
        var bestScores = scores;
        for (var e = 0; e <= (attention is null ? 0 : maxAttention); e++)
        {
            for (var a = 0; a <= (shares is null ? 0 : 8) && a + e <= 9; a++)
            {
                for (var c = 0; c <= (soft is null ? 0 : 8) && a + c + e <= 9; c++)
                {
                    var (wa, wc, we) = (a / 10f, c / 10f, e / 10f);
                    var plain = a == 0 && c == 0 && e == 0;
                    var mixed = plain ? scores : new float[scores.Length];
                    if (!plain)
                    {
                        for (var i = 0; i < n; i++)
                        {
                            var row = mixed.AsSpan(i * width, width);
                            scores.AsSpan(i * width, width).CopyTo(row);
                            InsightsModel.Mix(row, shares?[i], wa, soft is null ? default : soft.AsSpan(i * width, width), wc,
                                attention is null ? default : attention.AsSpan(i * width, width), we);
                        }
                    }
                    var macro = 0.0;
                    for (var k = 0; k < width; k++)
                    {
                        macro += counted is null || counted[k] ? BestF1(mixed, targets, n, width, k) : 0;
                    }
                    // Strictly better only, so ties keep the simpler (smaller) mix.
                    if (macro > bestScore + 1e-9)
                    {
                        bestScore = macro;
                        best = (wa, wc, we);
                        bestScores = mixed;
                    }
                }
            }
        }
        return (best.Item1, best.Item2, best.Item3, bestScores);
    }

    internal static (float Blend, float[] Scores) TuneBlend(float[] scores, float[][] shares, float[] targets, int n, int width)
    {
        var (blend, _, _, mixed) = TuneMix(scores, shares, null, null, targets, n, width);
        return (blend, mixed);
    }

    /// <summary>A theme's best F1 over thresholds, by sorting its scores once.</summary>
    private static double BestF1(float[] scores, float[] targets, int n, int width, int k)
    {
        var keys = new float[n];
        var order = new int[n];
        var positives = 0;
        for (var i = 0; i < n; i++)
        {
            keys[i] = -scores[i * width + k];
            order[i] = i;
            positives += targets[i * width + k] > 0.5f ? 1 : 0;
        }
        Array.Sort(keys, order);
        var best = 0.0;
        var tp = 0;
        for (var r = 0; r < n; r++)
        {
            tp += targets[order[r] * width + k] > 0.5f ? 1 : 0;
            if (r + 1 < n && keys[r + 1] == keys[r])
            {
                continue;
            }
            best = Math.Max(best, 2.0 * tp / (r + 1 + positives));
        }
        return best;
    }

    /// <summary>Learned themes, then the three sentiment classes when the framework has a sentiment scale.</summary>
    internal static int NeighbourWidth(int learned, SentimentScale? sentiment) => learned + (sentiment is null ? 0 : 3);

    private static int[][] NeighbourTargets(IReadOnlyList<FeedbackRow> rows, int[] learned, SentimentScale? sentiment)
    {
        var position = new Dictionary<int, int>();
        for (var k = 0; k < learned.Length; k++)
        {
            position[learned[k]] = k;
        }
        var result = new int[rows.Count][];
        for (var i = 0; i < rows.Count; i++)
        {
            var labels = new List<int>();
            foreach (var t in rows[i].Themes)
            {
                if (position.TryGetValue(t, out var k))
                {
                    labels.Add(k);
                }
            }
            if (sentiment is not null && rows[i].Sentiment is { } value)
            {
                labels.Add(learned.Length + (int)sentiment.ClassOf(value));
            }
            result[i] = labels.Distinct().Order().ToArray();
        }
        return result;
    }

    private static float[] Gather(float[] targets, int[] indices, int width)
    {
        var result = new float[indices.Length * width];
        for (var r = 0; r < indices.Length; r++)
        {
            targets.AsSpan(indices[r] * width, width).CopyTo(result.AsSpan(r * width));
        }
        return result;
    }

    /// <summary>Assigns each row to a fold, shuffled by the seed.</summary>
    internal static int[] Folds(int n, int k, int seed)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        var folds = new int[n];
        for (var i = 0; i < n; i++)
        {
            folds[order[i]] = i % k;
        }
        return folds;
    }

    /// <summary>
    /// Per theme, the threshold that maximises F1 on out-of-fold probabilities (the F1 curve averaged over ±<paramref name="smoothing"/>
    /// hundredths first), pulled towards the single threshold that
    /// is best for all themes pooled in proportion to how few positives the theme has (a theme with 8 examples cannot
    /// pin its own threshold down). Then whether forcing at least one theme per comment helps micro-F1.
    /// </summary>
    internal static (float[] Thresholds, bool AtLeastOne) TuneThresholds(float[] scores, float[] targets, int n, int width, float prior, int smoothing = 0)
    {
        var grid = Enumerable.Range(1, 95).Select(i => i / 100f).ToArray();
        var tp = new long[grid.Length];
        var fp = new long[grid.Length];
        var fn = new long[grid.Length];
        var perTheme = new float[width];
        var positives = new int[width];
        var curve = new double[grid.Length];
        for (var k = 0; k < width; k++)
        {
            for (var g = 0; g < grid.Length; g++)
            {
                long a = 0, b = 0, c = 0;
                for (var i = 0; i < n; i++)
                {
                    var predicted = scores[i * width + k] >= grid[g];
                    var actual = targets[i * width + k] > 0.5f;
                    if (predicted && actual)
                    {
                        a++;
                    }
                    else if (predicted)
                    {
                        b++;
                    }
                    else if (actual)
                    {
                        c++;
                    }
                }
                tp[g] += a;
                fp[g] += b;
                fn[g] += c;
                curve[g] = a == 0 ? 0 : 2.0 * a / (2.0 * a + b + c);
                positives[k] = (int)(a + c);
            }
            // The best point of the F1 curve, each point averaged with its neighbours within `smoothing` hundredths.
            var bestF1 = -1.0;
            for (var g = 0; g < grid.Length; g++)
            {
                var from = Math.Max(0, g - smoothing);
                var to = Math.Min(grid.Length - 1, g + smoothing);
                var f1 = 0.0;
                for (var j = from; j <= to; j++)
                {
                    f1 += curve[j];
                }
                f1 /= to - from + 1;
                if (f1 > bestF1)
                {
                    bestF1 = f1;
                    perTheme[k] = grid[g];
                }
            }
        }
        var pooled = 0.5f;
        var bestPooled = -1.0;
        for (var g = 0; g < grid.Length; g++)
        {
            var f1 = tp[g] == 0 ? 0 : 2.0 * tp[g] / (2.0 * tp[g] + fp[g] + fn[g]);
            if (f1 > bestPooled)
            {
                bestPooled = f1;
                pooled = grid[g];
            }
        }
        var thresholds = new float[width];
        for (var k = 0; k < width; k++)
        {
            thresholds[k] = (positives[k] * perTheme[k] + prior * pooled) / (positives[k] + prior);
        }
        var without = MicroF1(scores, targets, n, width, thresholds, atLeastOne: false);
        var with = MicroF1(scores, targets, n, width, thresholds, atLeastOne: true);
        return (thresholds, with > without);
    }

    private static double MicroF1(float[] scores, float[] targets, int n, int width, float[] thresholds, bool atLeastOne)
    {
        long tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < n; i++)
        {
            var chosen = FeedbackClassifier.ChooseThemes(scores.AsSpan(i * width, width), thresholds, singleLabel: false, atLeastOne);
            var isChosen = new bool[width];
            foreach (var k in chosen)
            {
                isChosen[k] = true;
            }
            for (var k = 0; k < width; k++)
            {
                var actual = targets[i * width + k] > 0.5f;
                if (isChosen[k] && actual)
                {
                    tp++;
                }
                else if (isChosen[k])
                {
                    fp++;
                }
                else if (actual)
                {
                    fn++;
                }
            }
        }
        return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    private sealed class StageProgress(IProgress<TrainingProgress>? inner, string stage, int total) : IProgress<int>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public void Report(int value)
        {
            if (inner is not null && (value >= total || _clock.ElapsedMilliseconds > 200))
            {
                _clock.Restart();
                inner.Report(new TrainingProgress(stage, value, total));
            }
        }
    }
}
