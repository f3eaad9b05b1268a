using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drawbridge.Insights;

/// <summary>
/// An organisation's feedback framework: the themes it sorts comments into and, optionally, its sentiment scale.
/// Themes are either one 0/1 column each (multi-label) or values of a single label column (one theme per comment).
/// </summary>
public sealed record Framework
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public string? Description { get; init; }
    public string? IdColumn { get; init; }
    public required string TextColumn { get; init; }

    /// <summary>When set, each theme is a value of this column and every comment has at most one theme.</summary>
    public string? LabelColumn { get; init; }

    public required IReadOnlyList<ThemeDefinition> Themes { get; init; }
    public SentimentScale? Sentiment { get; init; }

    /// <summary>
    /// Columns that say something about a comment besides its text: the question it answers ("What was good?" or
    /// "What could we do better?"), the service, the respondent's rating. Each value becomes a feature of the comment.
    /// Absent (null): training picks them from the data (<see cref="ContextDetection"/>); empty: none. A trained model
    /// holds the list it chose.
    /// </summary>
    public IReadOnlyList<string>? ContextColumns { get; init; }

    /// <summary>The columns the framework reads labels or ids from, so none of them is ever context.</summary>
    [JsonIgnore]
    public IEnumerable<string> FrameworkColumns
    {
        get
        {
            yield return TextColumn;
            if (IdColumn is not null)
            {
                yield return IdColumn;
            }
            if (LabelColumn is not null)
            {
                yield return LabelColumn;
            }
            foreach (var theme in Themes)
            {
                if (theme.Column is not null)
                {
                    yield return theme.Column;
                }
            }
            if (Sentiment is not null)
            {
                yield return Sentiment.Column;
            }
        }
    }

    [JsonIgnore]
    public bool IsSingleLabel => LabelColumn is not null;

    public static Framework Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InsightsException($"framework file not found: {path}");
        }
        return Parse(File.ReadAllText(path), path);
    }

    public static Framework Parse(string json, string source = "framework")
    {
        Framework? framework;
        try
        {
            framework = JsonSerializer.Deserialize(json, InsightsJsonContext.Default.Framework);
        }
        catch (JsonException e)
        {
            throw new InsightsException($"{source}: not a valid framework: {e.Message}");
        }
        if (framework is null)
        {
            throw new InsightsException($"{source}: empty framework");
        }
        framework.Validate(source);
        return framework;
    }

    public string ToJson() => JsonSerializer.Serialize(this, InsightsJsonContext.Default.Framework);

    private void Validate(string source)
    {
        if (string.IsNullOrWhiteSpace(Name) || string.IsNullOrWhiteSpace(Version))
        {
            throw new InsightsException($"{source}: a framework needs a name and a version");
        }
        if (string.IsNullOrWhiteSpace(TextColumn))
        {
            throw new InsightsException($"{source}: textColumn is missing");
        }
        if (Themes is null || Themes.Count == 0)
        {
            throw new InsightsException($"{source}: a framework needs at least one theme");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var theme in Themes)
        {
            if (string.IsNullOrWhiteSpace(theme.Id))
            {
                throw new InsightsException($"{source}: every theme needs an id");
            }
            if (theme.Id.Contains('|', StringComparison.Ordinal))
            {
                throw new InsightsException($"{source}: theme id '{theme.Id}' may not contain '|'");
            }
            if (!ids.Add(theme.Id))
            {
                throw new InsightsException($"{source}: theme id '{theme.Id}' appears twice");
            }
            if (LabelColumn is null && string.IsNullOrEmpty(theme.Column))
            {
                throw new InsightsException($"{source}: theme '{theme.Id}' needs a \"column\" (or give the framework a \"labelColumn\" and the theme a \"value\")");
            }
            if (LabelColumn is not null && string.IsNullOrEmpty(theme.Value))
            {
                throw new InsightsException($"{source}: theme '{theme.Id}' needs a \"value\" of label column '{LabelColumn}'");
            }
        }
        if (Sentiment is { } s)
        {
            if (string.IsNullOrWhiteSpace(s.Column))
            {
                throw new InsightsException($"{source}: sentiment needs a column");
            }
            if (s.Min >= s.Max)
            {
                throw new InsightsException($"{source}: sentiment min ({s.Min}) must be below max ({s.Max})");
            }
            if (s.MostPositive != s.Min && s.MostPositive != s.Max)
            {
                throw new InsightsException($"{source}: sentiment mostPositive ({s.MostPositive}) must be min ({s.Min}) or max ({s.Max})");
            }
            if (s.Max - s.Min > 100)
            {
                throw new InsightsException($"{source}: sentiment scale {s.Min}..{s.Max} is too wide");
            }
        }
        if (ContextColumns is not null)
        {
            var own = new HashSet<string>(FrameworkColumns.Select(c => c.Trim()), StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var column in ContextColumns)
            {
                if (string.IsNullOrWhiteSpace(column))
                {
                    throw new InsightsException($"{source}: contextColumns has an empty column name");
                }
                if (own.Contains(column.Trim()))
                {
                    throw new InsightsException($"{source}: context column '{column}' is also the framework's text, id, label, theme or sentiment column");
                }
                if (!seen.Add(column.Trim()))
                {
                    throw new InsightsException($"{source}: context column '{column}' appears twice");
                }
            }
        }
    }
}

public sealed record ThemeDefinition
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }

    /// <summary>The 0/1 column of this theme (multi-label frameworks).</summary>
    public string? Column { get; init; }

    /// <summary>The value of the framework's label column that means this theme (single-label frameworks).</summary>
    public string? Value { get; init; }

    /// <summary>A theme about safety, harm or distress: comments given it are raised to the top of an inbox.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Critical { get; init; }

    [JsonIgnore]
    public string DisplayName => string.IsNullOrWhiteSpace(Name) ? Id : Name;
}

/// <summary>Three-way sentiment, the common ground between every organisation's scale.</summary>
public enum SentimentClass
{
    Negative = 0,
    MixedOrNeutral = 1,
    Positive = 2,
}

/// <summary>
/// An integer sentiment scale. <see cref="MostPositive"/> names the positive end. Values on the positive side of the
/// midpoint are positive, the midpoint itself (only on scales with an odd number of points) is mixed/neutral, the rest
/// negative: for -5..5 that is &gt;0 / 0 / &lt;0; for 1..5 with 1 most positive it is 1-2 / 3 / 4-5.
/// </summary>
public sealed record SentimentScale
{
    public required string Column { get; init; }
    public int Min { get; init; }
    public int Max { get; init; }
    public int MostPositive { get; init; }

    [JsonIgnore]
    public int Points => Max - Min + 1;

    public SentimentClass ClassOf(int value)
    {
        // Twice the distance from the midpoint, signed so that positive means "towards MostPositive".
        var twice = 2 * value - (Min + Max);
        if (MostPositive == Min)
        {
            twice = -twice;
        }
        return twice > 0 ? SentimentClass.Positive : twice < 0 ? SentimentClass.Negative : SentimentClass.MixedOrNeutral;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(Framework))]
internal sealed partial class InsightsJsonContext : JsonSerializerContext;

/// <summary>A problem with the user's input (framework, data or model) that is reported, not crashed on.</summary>
public sealed class InsightsException : Exception
{
    public InsightsException(string message) : base(message) { }
    public InsightsException(string message, Exception inner) : base(message, inner) { }
    public InsightsException() { }
}
