namespace Drawbridge.Insights;

/// <summary>What training decided about one candidate context column, and why.</summary>
public sealed record ContextColumnChoice(string Column, int Values, bool Used, string Reason)
{
    public override string ToString() => Used ? $"{Column} ({Values} values)" : $"{Column} ({Reason})";
}

/// <summary>
/// Chooses context columns from labelled data when the framework names none (<see cref="Framework.ContextColumns"/>
/// absent). A column the framework does not use is context when it reads like a property of the comment rather than
/// of its labels or of one respondent: a few values (2 to <see cref="MaxValues"/>, such as the question asked, the
/// service or the respondent's rating), filled in for at least half the comments, no single value in
/// <see cref="MaxShare"/> of them, and not a function of the labels. That last test keeps a label column the framework
/// does not read (a parent category, a theme code) out: such a column is known when training but not for new feedback.
/// </summary>
public static class ContextDetection
{
    public const int MaxValues = 30;
    public const double MinFilled = 0.5;
    public const double MaxShare = 0.95;

    /// <summary>A column whose value is predicted from the comment's themes (or its sentiment) this often is a label.</summary>
    public const double MaxAgreementWithLabels = 0.95;

    /// <summary>Every candidate column of the rows (the keys of their <see cref="FeedbackRow.Context"/>), in first-seen order.</summary>
    public static IReadOnlyList<ContextColumnChoice> Choose(IReadOnlyList<FeedbackRow> rows)
    {
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.Context is null)
            {
                continue;
            }
            foreach (var column in row.Context.Keys)
            {
                if (seen.Add(column))
                {
                    columns.Add(column);
                }
            }
        }
        return columns.Select(c => Judge(c, rows)).ToList();
    }

    private static ContextColumnChoice Judge(string column, IReadOnlyList<FeedbackRow> rows)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var filled = 0;
        foreach (var row in rows)
        {
            if (row.Context?.GetValueOrDefault(column) is { } value)
            {
                filled++;
                counts[value] = counts.GetValueOrDefault(value) + 1;
            }
        }
        if (filled < MinFilled * rows.Count)
        {
            return new(column, counts.Count, false, $"empty in {rows.Count - filled} of {rows.Count} comments");
        }
        if (counts.Count > MaxValues)
        {
            return new(column, counts.Count, false, $"{counts.Count} values, more than {MaxValues}");
        }
        if (counts.Count < 2 || counts.Values.Max() > MaxShare * filled)
        {
            return new(column, counts.Count, false, "nearly always the same value");
        }
        // The whole set of themes, or any one of them: in multi-label data a parent category of the comment's first
        // theme follows that theme, while its combinations with other themes are too varied to show it.
        var byThemes = Math.Max(Agreement(rows, column, r => [string.Join(',', r.Themes.Order())]),
            Agreement(rows, column, r => r.Themes.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var bySentiment = Agreement(rows, column, r => r.Sentiment is { } s ? [s.ToString(System.Globalization.CultureInfo.InvariantCulture)] : []);
        if (Math.Max(byThemes, bySentiment) >= MaxAgreementWithLabels)
        {
            return new(column, counts.Count, false, $"follows the {(byThemes >= bySentiment ? "themes" : "sentiment")}: a label, not context");
        }
        return new(column, counts.Count, true, "context");
    }

    /// <summary>
    /// How often a comment's value of the column is the most common value among the other comments sharing one of its
    /// keys (the set of its themes; each of its themes; its sentiment). A comment is counted when it has a value and at
    /// least one key; a comment alone with its key counts as a miss, so rare label combinations do not make any column
    /// look determined.
    /// </summary>
    private static double Agreement(IReadOnlyList<FeedbackRow> rows, string column, Func<FeedbackRow, IEnumerable<string>> keys)
    {
        // Each comment with a value and at least one key, its keys computed once.
        var keyed = new List<(string Value, string[] Keys)>();
        foreach (var row in rows)
        {
            if (row.Context?.GetValueOrDefault(column) is { } value && keys(row).Distinct().ToArray() is { Length: > 0 } rowKeys)
            {
                keyed.Add((value, rowKeys));
            }
        }
        var groups = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var (value, rowKeys) in keyed)
        {
            foreach (var key in rowKeys)
            {
                var group = groups.TryGetValue(key, out var g) ? g : groups[key] = new Dictionary<string, int>(StringComparer.Ordinal);
                group[value] = group.GetValueOrDefault(value) + 1;
            }
        }
        // Leave one out: the others with a key predict the comment's value when its count minus one is still the
        // largest (ties go against the comment).
        var hits = keyed.Count(c => c.Keys.Any(key =>
        {
            var group = groups[key];
            return group[c.Value] - 1 > group.Where(p => p.Key != c.Value).Select(p => p.Value).DefaultIfEmpty(0).Max();
        }));
        return keyed.Count == 0 ? 0 : hits / (double)keyed.Count;
    }
}
