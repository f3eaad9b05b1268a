using System.Text;

namespace Drawbridge.Insights;

/// <summary>
/// A trained framework: the framework itself, the text vocabulary, theme and sentiment weights and per-theme thresholds.
/// The base sentence-embedding model is not stored, only its name, which must match when the model is used.
/// </summary>
public sealed class InsightsModel
{
    private const string Magic = "DRAWBRIDGE-INSIGHTS-MODEL";
    private const int FormatVersion = 3;

    public required Framework Framework { get; init; }
    public required TextFeatures Features { get; init; }

    /// <summary>The sentence-embedding model the weights expect, or null for a text-features-only model.</summary>
    public string? EmbeddingModel { get; init; }
    public int EmbeddingDimension { get; init; }
    public float EmbeddingWeight { get; init; } = 1f;

    /// <summary>The training comments' embeddings and labels, whose nearest-neighbour shares are features (null when off).</summary>
    public NeighbourLabels? Neighbours { get; init; }
    public float NeighbourWeight { get; init; } = 1f;

    /// <summary>Share of the neighbours' theme shares in a theme's score (the rest is the linear model), chosen on validation.</summary>
    public float NeighbourBlend { get; init; }

    /// <summary>A softmax over the learned themes plus "no theme", mixed into the theme scores by <see cref="SoftBlend"/> (null when off).</summary>
    public LinearModel? SoftThemeModel { get; init; }
    public float SoftBlend { get; init; }

    /// <summary>Label-wise attention over the comment's word pieces, mixed into the theme scores by <see cref="AttentionBlend"/>.</summary>
    public TokenAttention? TokenAttention { get; init; }
    public float AttentionBlend { get; init; }

    /// <summary>Framework theme indexes that have a classifier (themes with too few examples have none).</summary>
    public required int[] LearnedThemes { get; init; }
    public LinearModel? ThemeModel { get; init; }

    /// <summary>The cross-fitting models, averaged with <see cref="ThemeModel"/> when the ensemble option was on.</summary>
    public IReadOnlyList<LinearModel> ExtraThemeModels { get; init; } = [];

    /// <summary>Theme probabilities for learned themes: the mean over the theme models.</summary>
    internal void PredictThemes(in FeatureVector x, Span<float> p)
    {
        PredictLinear(x, p);
        var shares = NeighbourBlend > 0 ? x.Shares : null;
        Span<float> soft = SoftThemeModel is not null && SoftBlend > 0 ? stackalloc float[SoftThemeModel.Outputs] : default;
        if (!soft.IsEmpty)
        {
            SoftThemeModel!.Predict(x, soft);
        }
        Span<float> attention = TokenAttention is not null && AttentionBlend > 0 && x.Tokens is not null ? stackalloc float[TokenAttention.Outputs] : default;
        if (!attention.IsEmpty)
        {
            Attend(x, attention);
        }
        Mix(p, shares, shares is null ? 0 : NeighbourBlend, soft.IsEmpty ? default : soft[..p.Length], soft.IsEmpty ? 0 : SoftBlend,
            attention.IsEmpty ? default : attention[..p.Length], attention.IsEmpty ? 0 : AttentionBlend);
    }

    /// <summary>
    /// Each part's theme scores before the mix, for the benchmark's analysis: the linear model, the neighbours' shares,
    /// the softmax head and the attention head (null where the model or the comment lacks that part).
    /// </summary>
    internal ThemeParts Parts(in FeatureVector x)
    {
        var width = LearnedThemes.Length;
        var linear = new float[width];
        PredictLinear(x, linear);
        var shares = x.Shares?[..width];
        float[]? soft = null;
        if (SoftThemeModel is not null)
        {
            soft = new float[SoftThemeModel.Outputs];
            SoftThemeModel.Predict(x, soft);
            soft = soft[..width];
        }
        float[]? attention = null;
        if (TokenAttention is not null && x.Tokens is not null)
        {
            attention = new float[TokenAttention.Outputs];
            Attend(x, attention);
            attention = attention[..width];
        }
        return new ThemeParts(linear, shares, soft, attention);
    }

    /// <summary>The token attention head's probabilities for a comment with word pieces (and its context, when the head reads it).</summary>
    private void Attend(in FeatureVector x, Span<float> output) =>
        TokenAttention!.Predict(x.Tokens, x.Sentence, output, TokenAttention.ContextDimension > 0 ? Features.DenseContext(x.Indices, x.Values) : default);

    /// <summary>Theme scores mixed with neighbour shares and softmax-head probabilities, by their weights (the rest stays).</summary>
    internal static void Mix(Span<float> p, ReadOnlySpan<float> shares, float shareWeight, ReadOnlySpan<float> soft, float softWeight,
        ReadOnlySpan<float> attention = default, float attentionWeight = 0)
    {
        if (shareWeight == 0 && softWeight == 0 && attentionWeight == 0)
        {
            return;
        }
        for (var k = 0; k < p.Length; k++)
        {
            var v = (1 - shareWeight - softWeight - attentionWeight) * p[k];
            if (attentionWeight > 0)
            {
                v += attentionWeight * attention[k];
            }
            if (shareWeight > 0)
            {
                v += shareWeight * shares[k];
            }
            if (softWeight > 0)
            {
                v += softWeight * soft[k];
            }
            p[k] = v;
        }
    }

    private void PredictLinear(in FeatureVector x, Span<float> p)
    {
        ThemeModel!.Predict(x, p);
        if (ExtraThemeModels.Count == 0)
        {
            return;
        }
        Span<float> q = stackalloc float[p.Length];
        foreach (var model in ExtraThemeModels)
        {
            model.Predict(x, q);
            for (var k = 0; k < p.Length; k++)
            {
                p[k] += q[k];
            }
        }
        var count = 1 + ExtraThemeModels.Count;
        for (var k = 0; k < p.Length; k++)
        {
            p[k] /= count;
        }
    }

    /// <summary>Decision threshold per learned theme (multi-label frameworks).</summary>
    public required float[] Thresholds { get; init; }

    /// <summary>Whether a comment with no theme over its threshold gets its most likely theme anyway (chosen on validation).</summary>
    public bool AtLeastOneTheme { get; init; }

    /// <summary>Training examples per framework theme, so reports can say which themes had enough.</summary>
    public required int[] TrainingCounts { get; init; }
    public int MinExamples { get; init; }
    public int TrainingRows { get; init; }

    public LinearModel? SentimentModel { get; init; }

    /// <summary>A second sentiment head over the three classes (negative, mixed-neutral, positive), averaged with the first.</summary>
    public LinearModel? SentimentClassModel { get; init; }

    /// <summary>The scale value of each sentiment output.</summary>
    public int[] SentimentValues { get; init; } = [];

    public void Save(string path)
    {
        using var file = OutputFile.Claim(path);
        Write(file.Stream);
        file.Commit();
    }

    public void Write(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(Framework.ToJson());
        writer.Write(EmbeddingModel ?? "");
        writer.Write(EmbeddingDimension);
        writer.Write(EmbeddingWeight);
        writer.Write(Features.CharNgrams);
        writer.Write(Features.Count);
        foreach (var term in Features.Terms)
        {
            writer.Write(term);
        }
        LinearModel.WriteArray(writer, Features.Idf.ToArray());
        WriteInts(writer, LearnedThemes);
        LinearModel.WriteArray(writer, Thresholds);
        writer.Write(AtLeastOneTheme);
        WriteInts(writer, TrainingCounts);
        writer.Write(MinExamples);
        writer.Write(TrainingRows);
        writer.Write(ThemeModel is not null);
        ThemeModel?.Write(writer);
        writer.Write(SentimentModel is not null);
        SentimentModel?.Write(writer);
        WriteInts(writer, SentimentValues);
        writer.Write(SentimentClassModel is not null);
        SentimentClassModel?.Write(writer);
        writer.Write(ExtraThemeModels.Count);
        foreach (var model in ExtraThemeModels)
        {
            model.Write(writer);
        }
        writer.Write(SoftThemeModel is not null);
        if (SoftThemeModel is not null)
        {
            writer.Write(SoftBlend);
            SoftThemeModel.Write(writer);
        }
        writer.Write(Neighbours is not null);
        if (Neighbours is not null)
        {
            writer.Write(NeighbourWeight);
            writer.Write(NeighbourBlend);
            Neighbours.Write(writer);
        }
        writer.Write(TokenAttention is not null);
        if (TokenAttention is not null)
        {
            writer.Write(AttentionBlend);
            TokenAttention.Write(writer);
        }
        // Added after format 3 was first written: files without it end here (and have no context features).
        LinearModel.WriteArray(writer, Features.ContextShares.ToArray());
        TokenAttention?.WriteContext(writer);
    }

    /// <summary>Loads a model; when <paramref name="expected"/> is given, refuses a model trained for another framework or version.</summary>
    public static InsightsModel Load(string path, Framework? expected = null)
    {
        if (!File.Exists(path))
        {
            throw new InsightsException($"model file not found: {path}");
        }
        using var stream = File.OpenRead(path);
        var model = Read(stream, path);
        if (expected is not null)
        {
            model.EnsureFramework(expected);
        }
        return model;
    }

    public void EnsureFramework(Framework expected)
    {
        if (!string.Equals(expected.Name, Framework.Name, StringComparison.Ordinal) || !string.Equals(expected.Version, Framework.Version, StringComparison.Ordinal))
        {
            throw new InsightsException(
                $"this model was trained for framework '{Framework.Name}' version {Framework.Version}, not '{expected.Name}' version {expected.Version}; train a model for that framework");
        }
        if (!Framework.Themes.Select(t => t.Id).SequenceEqual(expected.Themes.Select(t => t.Id), StringComparer.Ordinal))
        {
            throw new InsightsException(
                $"framework '{expected.Name}' version {expected.Version} has different themes from the ones this model was trained on; give the framework a new version and train again");
        }
    }

    public static InsightsModel Read(Stream stream, string source = "model")
    {
        try
        {
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            string magic;
            try
            {
                magic = reader.ReadString();
            }
            catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
            {
                magic = "";
            }
            if (magic != Magic)
            {
                throw new InsightsException($"{source} is not a Drawbridge insights model");
            }
            var version = reader.ReadInt32();
            if (version != FormatVersion)
            {
                throw new InsightsException($"{source} has model format {version}; this build reads format {FormatVersion}: train it again");
            }
            var framework = Framework.Parse(reader.ReadString(), source);
            var embeddingModel = reader.ReadString();
            var embeddingDimension = reader.ReadInt32();
            var embeddingWeight = reader.ReadSingle();
            var charNgrams = reader.ReadBoolean();
            var termCount = reader.ReadInt32();
            if (termCount < 0 || termCount > 10_000_000)
            {
                throw new InsightsException($"{source} is damaged: bad vocabulary size");
            }
            var terms = new string[termCount];
            for (var i = 0; i < termCount; i++)
            {
                terms[i] = reader.ReadString();
            }
            var idf = LinearModel.ReadArray(reader);
            var learned = ReadInts(reader);
            var thresholds = LinearModel.ReadArray(reader);
            var atLeastOne = reader.ReadBoolean();
            var counts = ReadInts(reader);
            var minExamples = reader.ReadInt32();
            var trainingRows = reader.ReadInt32();
            var themeModel = reader.ReadBoolean() ? LinearModel.Read(reader) : null;
            var sentimentModel = reader.ReadBoolean() ? LinearModel.Read(reader) : null;
            var sentimentValues = ReadInts(reader);
            var sentimentClassModel = reader.ReadBoolean() ? LinearModel.Read(reader) : null;
            var extraCount = reader.ReadInt32();
            if (extraCount < 0 || extraCount > 64 || (extraCount > 0 && themeModel is null))
            {
                throw new InsightsException($"{source} is damaged: bad ensemble size");
            }
            var extra = new LinearModel[extraCount];
            for (var i = 0; i < extraCount; i++)
            {
                extra[i] = LinearModel.Read(reader);
                if (extra[i].Outputs != learned.Length)
                {
                    throw new InsightsException($"{source} is damaged: its parts do not fit together");
                }
            }
            LinearModel? softModel = null;
            var softBlend = 0f;
            if (reader.ReadBoolean())
            {
                softBlend = reader.ReadSingle();
                softModel = LinearModel.Read(reader);
                if (softModel.Outputs != learned.Length + 1 || !(softBlend > 0 && softBlend < 1) || themeModel is null)
                {
                    throw new InsightsException($"{source} is damaged: its parts do not fit together");
                }
            }
            NeighbourLabels? neighbours = null;
            var neighbourWeight = 1f;
            var neighbourBlend = 0f;
            if (reader.ReadBoolean())
            {
                neighbourWeight = reader.ReadSingle();
                neighbourBlend = reader.ReadSingle();
                neighbours = NeighbourLabels.Read(reader);
                if (neighbours.Dimension > embeddingDimension
                    || neighbours.Width != InsightsTrainer.NeighbourWidth(learned.Length, framework.Sentiment)
                    || !(neighbourBlend >= 0 && neighbourBlend <= 1)
                    || (themeModel is not null && themeModel.DenseFeatures != embeddingDimension + (neighbourWeight > 0 ? neighbours.Width : 0)))
                {
                    throw new InsightsException($"{source} is damaged: its parts do not fit together");
                }
            }
            TokenAttention? attention = null;
            var attentionBlend = 0f;
            if (reader.ReadBoolean())
            {
                attentionBlend = reader.ReadSingle();
                attention = TokenAttention.Read(reader, learned.Length);
                if (attention.Dimension != embeddingDimension || !(attentionBlend > 0 && attentionBlend < 1) || themeModel is null)
                {
                    throw new InsightsException($"{source} is damaged: its parts do not fit together");
                }
            }
            // Context shares (see Write): absent from files written before context columns.
            float[] contextShares = [];
            if (reader.BaseStream.CanSeek && reader.BaseStream.Position < reader.BaseStream.Length)
            {
                contextShares = LinearModel.ReadArray(reader);
                attention?.ReadContext(reader);
                if (attention is not null && attention.ContextDimension != 0 && attention.ContextDimension != contextShares.Length)
                {
                    throw new InsightsException($"{source} is damaged: its parts do not fit together");
                }
            }
            if (learned.Length != thresholds.Length || counts.Length != framework.Themes.Count || learned.Any(t => t < 0 || t >= framework.Themes.Count)
                || (themeModel is not null && themeModel.Outputs != learned.Length)
                || (sentimentModel is not null && sentimentModel.Outputs != sentimentValues.Length)
                || (sentimentClassModel is not null && sentimentClassModel.Outputs != 3))
            {
                throw new InsightsException($"{source} is damaged: its parts do not fit together");
            }
            return new InsightsModel
            {
                Framework = framework,
                Features = new TextFeatures(terms, idf, charNgrams, contextShares),
                EmbeddingModel = embeddingModel.Length == 0 ? null : embeddingModel,
                EmbeddingDimension = embeddingDimension,
                EmbeddingWeight = embeddingWeight,
                Neighbours = neighbours,
                NeighbourWeight = neighbourWeight,
                NeighbourBlend = neighbourBlend,
                SoftThemeModel = softModel,
                SoftBlend = softBlend,
                TokenAttention = attention,
                AttentionBlend = attentionBlend,
                LearnedThemes = learned,
                ThemeModel = themeModel,
                ExtraThemeModels = extra,
                Thresholds = thresholds,
                AtLeastOneTheme = atLeastOne,
                TrainingCounts = counts,
                MinExamples = minExamples,
                TrainingRows = trainingRows,
                SentimentModel = sentimentModel,
                SentimentValues = sentimentValues,
                SentimentClassModel = sentimentClassModel,
            };
        }
        catch (EndOfStreamException e)
        {
            throw new InsightsException($"{source} is truncated", e);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or OutOfMemoryException or IOException)
        {
            throw new InsightsException($"{source} is damaged: {e.Message}", e);
        }
    }

    private static void WriteInts(BinaryWriter writer, int[] values)
    {
        writer.Write(values.Length);
        foreach (var v in values)
        {
            writer.Write(v);
        }
    }

    private static int[] ReadInts(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        if (length < 0 || length > 10_000_000)
        {
            throw new InsightsException("model file is damaged: bad list length");
        }
        var values = new int[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = reader.ReadInt32();
        }
        return values;
    }
}

/// <summary>One comment's theme scores from each part of the mix, before mixing (<see cref="InsightsModel.Parts"/>).</summary>
internal sealed record ThemeParts(float[] Linear, float[]? Shares, float[]? Soft, float[]? Attention);
