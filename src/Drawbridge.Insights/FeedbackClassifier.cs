namespace Drawbridge.Insights;

/// <summary>A theme found in a comment, with the classifier's probability.</summary>
public sealed record ThemeMatch(string Id, string Name, float Score);

/// <summary>
/// A comment's best theme (its index in the framework, -1 for none), that theme's score as a share of its threshold, and
/// whether some theme claims the comment.
/// </summary>
public readonly record struct ThemeCoverage(int Theme, float Share, bool Covered);

/// <summary>What the engine says about one comment.</summary>
public sealed record Classification(IReadOnlyList<ThemeMatch> Themes, int? Sentiment, SentimentClass? SentimentClass);

/// <summary>
/// Labels new comments with a trained <see cref="InsightsModel"/>. Thread-safe: the model is read-only and the embedder
/// is safe to share, so one instance can serve a whole host.
/// </summary>
public sealed class FeedbackClassifier
{
    private readonly ISentenceEmbedder? _embedder;

    public InsightsModel Model { get; }

    public FeedbackClassifier(InsightsModel model, ISentenceEmbedder? embedder)
    {
        Model = model;
        if (model.EmbeddingModel is not null)
        {
            if (embedder is null)
            {
                throw new InsightsException($"this model needs the sentence-embedding model '{model.EmbeddingModel}'");
            }
            if (embedder.ModelName != model.EmbeddingModel || embedder.Dimension != model.EmbeddingDimension)
            {
                throw new InsightsException($"this model was trained with embeddings from '{model.EmbeddingModel}', not '{embedder.ModelName}'");
            }
            _embedder = embedder;
        }
    }

    public Classification Classify(string text) => ClassifyMany([text])[0];

    public IReadOnlyList<Classification> ClassifyMany(IReadOnlyList<string> texts, IProgress<int>? progress = null) =>
        ClassifyMany(texts, null, progress);

    /// <summary>Rows as read from a CSV: their texts, and their context values for a model that uses context columns.</summary>
    public IReadOnlyList<Classification> ClassifyMany(IReadOnlyList<FeedbackRow> rows, IProgress<int>? progress = null) =>
        ClassifyMany(rows.Select(r => r.Text).ToArray(), rows.Select(r => r.Context).ToArray(), progress);

    /// <summary>Texts with their context values by column (<see cref="Framework.ContextColumns"/>); a missing value counts as unknown.</summary>
    public IReadOnlyList<Classification> ClassifyMany(IReadOnlyList<string> texts, IReadOnlyList<IReadOnlyDictionary<string, string>?>? contexts,
        IProgress<int>? progress = null)
    {
        if (contexts is not null && contexts.Count != texts.Count)
        {
            throw new ArgumentException("one context per text", nameof(contexts));
        }
        var features = Featurize(Model, _embedder, texts, progress, contexts);
        var result = new Classification[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            result[i] = Decide(features[i]);
        }
        return result;
    }

    /// <summary>Per-theme probabilities (framework order; NaN for themes without a classifier).</summary>
    public float[] ThemeScores(string text)
    {
        var x = Featurize(Model, _embedder, [text], null)[0];
        var scores = new float[Model.Framework.Themes.Count];
        Array.Fill(scores, float.NaN);
        if (Model.ThemeModel is { } themeModel)
        {
            var p = new float[themeModel.Outputs];
            Model.PredictThemes(x, p);
            for (var k = 0; k < p.Length; k++)
            {
                scores[Model.LearnedThemes[k]] = p[k];
            }
        }
        return scores;
    }

    /// <summary>
    /// Whether some theme claims the comment: one over its threshold (multi-label), or a most likely theme with
    /// probability of at least one half (single-label, where a theme is always chosen).
    /// </summary>
    public bool Covers(string text) => CoversMany([text])[0];

    public bool[] CoversMany(IReadOnlyList<string> texts, IProgress<int>? progress = null) =>
        CoverageMany(texts, progress).Select(c => c.Covered).ToArray();

    /// <summary>
    /// How well the framework covers each comment: its best theme (framework order) and that theme's score as a share of
    /// what claims a comment (its threshold; one half for a single-label framework). A share of 1 or more is a claim; a
    /// comment just under 1 is close to a theme, one near 0 is far from all of them.
    /// </summary>
    public ThemeCoverage[] CoverageMany(IReadOnlyList<string> texts, IProgress<int>? progress = null) => CoverageMany(texts, null, progress);

    /// <summary>Coverage of texts with their context values by column (<see cref="Framework.ContextColumns"/>), as <see cref="ClassifyMany(IReadOnlyList{string}, IReadOnlyList{IReadOnlyDictionary{string, string}?}?, IProgress{int}?)"/> reads them.</summary>
    public ThemeCoverage[] CoverageMany(IReadOnlyList<string> texts, IReadOnlyList<IReadOnlyDictionary<string, string>?>? contexts,
        IProgress<int>? progress = null)
    {
        if (contexts is not null && contexts.Count != texts.Count)
        {
            throw new ArgumentException("one context per text", nameof(contexts));
        }
        var coverage = new ThemeCoverage[texts.Count];
        if (Model.ThemeModel is not { } themeModel)
        {
            Array.Fill(coverage, new ThemeCoverage(-1, 0, false));
            return coverage;
        }
        var x = Featurize(Model, _embedder, texts, progress, contexts);
        var p = new float[themeModel.Outputs];
        for (var i = 0; i < texts.Count; i++)
        {
            Model.PredictThemes(x[i], p);
            var (theme, share, covered) = (-1, 0f, false);
            for (var k = 0; k < p.Length; k++)
            {
                var threshold = Model.Framework.IsSingleLabel ? 0.5f : Model.Thresholds[k];
                covered |= p[k] >= threshold;
                if (p[k] / threshold > share)
                {
                    (theme, share) = (Model.LearnedThemes[k], p[k] / threshold);
                }
            }
            coverage[i] = new ThemeCoverage(theme, share, covered);
        }
        return coverage;
    }

    internal Classification Decide(in FeatureVector x)
    {
        var framework = Model.Framework;
        var themes = new List<ThemeMatch>();
        if (Model.ThemeModel is { } themeModel)
        {
            Span<float> p = stackalloc float[themeModel.Outputs];
            Model.PredictThemes(x, p);
            foreach (var k in ChooseThemes(p, Model))
            {
                var theme = framework.Themes[Model.LearnedThemes[k]];
                themes.Add(new ThemeMatch(theme.Id, theme.DisplayName, p[k]));
            }
            themes.Sort((a, b) => b.Score.CompareTo(a.Score));
        }
        int? sentiment = null;
        SentimentClass? sentimentClass = null;
        if (Model.SentimentModel is { } sentimentModel && framework.Sentiment is { } scale)
        {
            Span<float> p = stackalloc float[sentimentModel.Outputs];
            sentimentModel.Predict(x, p);
            Span<float> classes = stackalloc float[3];
            if (Model.SentimentClassModel is { } classModel)
            {
                classModel.Predict(x, classes);
            }
            (sentiment, sentimentClass) = ChooseSentiment(p, Model.SentimentValues, scale, Model.SentimentClassModel is null ? default : classes);
        }
        return new Classification(themes, sentiment, sentimentClass);
    }

    /// <summary>Learned-theme positions to report, given their probabilities.</summary>
    internal static List<int> ChooseThemes(ReadOnlySpan<float> p, InsightsModel model) =>
        ChooseThemes(p, model.Thresholds, model.Framework.IsSingleLabel, model.AtLeastOneTheme);

    internal static List<int> ChooseThemes(ReadOnlySpan<float> p, float[] thresholds, bool singleLabel, bool atLeastOne)
    {
        var chosen = new List<int>();
        if (p.Length == 0)
        {
            return chosen;
        }
        var best = 0;
        var bestRatio = float.NegativeInfinity;
        for (var k = 0; k < p.Length; k++)
        {
            var ratio = singleLabel ? p[k] : p[k] / thresholds[k];
            if (ratio > bestRatio)
            {
                bestRatio = ratio;
                best = k;
            }
            if (!singleLabel && p[k] >= thresholds[k])
            {
                chosen.Add(k);
            }
        }
        if (singleLabel || (chosen.Count == 0 && atLeastOne))
        {
            chosen.Clear();
            chosen.Add(best);
        }
        return chosen;
    }

    /// <summary>
    /// Picks the three-way class with the most probability first, then the most likely point inside it, so the exact
    /// value and the three-way class never disagree.
    /// </summary>
    internal static (int Value, SentimentClass Class) ChooseSentiment(ReadOnlySpan<float> p, int[] values, SentimentScale scale, ReadOnlySpan<float> classHead = default)
    {
        Span<float> byClass = stackalloc float[3];
        for (var k = 0; k < p.Length; k++)
        {
            byClass[(int)scale.ClassOf(values[k])] += p[k];
        }
        if (classHead.Length == 3)
        {
            for (var c = 0; c < 3; c++)
            {
                byClass[c] = (byClass[c] + classHead[c]) / 2;
            }
        }
        var cls = 0;
        for (var c = 1; c < 3; c++)
        {
            if (byClass[c] > byClass[cls])
            {
                cls = c;
            }
        }
        var best = -1;
        for (var k = 0; k < p.Length; k++)
        {
            if ((int)scale.ClassOf(values[k]) == cls && (best < 0 || p[k] > p[best]))
            {
                best = k;
            }
        }
        return (values[best], (SentimentClass)cls);
    }

    internal static FeatureVector[] Featurize(InsightsModel model, ISentenceEmbedder? embedder, IReadOnlyList<string> texts, IProgress<int>? progress,
        IReadOnlyList<IReadOnlyDictionary<string, string>?>? contexts = null)
    {
        float[][]? dense = null;
        float[][]? shares = null;
        float[][]? tokens = null;
        if (model.EmbeddingModel is not null && embedder is not null)
        {
            // A model's attention head is kept only when the mix gives it weight (or for the benchmark's analysis).
            if (model.TokenAttention is not null)
            {
                if (embedder is not ITokenEmbedder { ProvidesTokens: true } tokenEmbedder)
                {
                    throw new InsightsException($"this model reads word pieces; the embedder '{embedder.ModelName}' does not give them");
                }
                // The same model run gives the sentence embedding and the word-piece vectors.
                (dense, tokens) = tokenEmbedder.EmbedWithTokens(texts, progress);
            }
            else
            {
                dense = embedder.Embed(texts, progress);
            }
            shares = model.Neighbours?.Describe(dense);
        }
        var result = Featurize(model.Features, dense, model.EmbeddingWeight, shares, model.NeighbourWeight, texts, model.Framework.ContextColumns, contexts);
        if (tokens is not null)
        {
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = result[i] with { Tokens = tokens[i], Sentence = dense![i] };
            }
        }
        return result;
    }

    /// <summary>TF-IDF as the sparse part; the scaled embedding followed by the scaled neighbour shares as the dense part.</summary>
    internal static FeatureVector[] Featurize(TextFeatures features, float[][]? dense, float weight, float[][]? shares, float shareWeight,
        IReadOnlyList<string> texts, IReadOnlyList<string>? contextColumns = null, IReadOnlyList<IReadOnlyDictionary<string, string>?>? contexts = null)
    {
        var result = new FeatureVector[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            var (indices, values) = features.Transform(texts[i], contextColumns, contexts?[i]);
            float[]? d = null;
            if (dense is not null)
            {
                var embedding = dense[i].Length;
                var share = shareWeight > 0 ? shares?[i] : null;
                d = new float[embedding + (share?.Length ?? 0)];
                for (var k = 0; k < embedding; k++)
                {
                    d[k] = dense[i][k] * weight;
                }
                if (share is not null)
                {
                    for (var k = 0; k < share.Length; k++)
                    {
                        d[embedding + k] = share[k] * shareWeight;
                    }
                }
            }
            result[i] = new FeatureVector(indices, values, d, shares?[i]);
        }
        return result;
    }
}
