using System.Globalization;
using System.Text;

namespace Drawbridge.Insights;

/// <summary>
/// A comment as features: sparse TF-IDF word n-grams plus an optional dense part (sentence embedding, then any
/// neighbour shares fed to the models), and the neighbour shares themselves for blending with the theme scores.
/// </summary>
public readonly record struct FeatureVector(int[] Indices, float[] Values, float[]? Dense, float[]? Shares = null)
{
    /// <summary>The comment's word-piece vectors (for the token attention head), when the model uses them.</summary>
    public float[]? Tokens { get; init; }

    /// <summary>The comment's unscaled sentence embedding, beside <see cref="Tokens"/>.</summary>
    public float[]? Sentence { get; init; }
}

/// <summary>
/// Word unigram and bigram TF-IDF (sublinear term frequency, smoothed idf, L2-normalised), with a vocabulary learned
/// from training comments. Immutable once built, so safe to share between threads.
/// </summary>
public sealed class TextFeatures
{
    private readonly Dictionary<string, int> _index;

    public IReadOnlyList<string> Terms { get; }
    public IReadOnlyList<float> Idf { get; }
    public int Count => Terms.Count;

    /// <summary>Whether character 3- to 5-grams inside words are features too (robust to misspellings and word forms).</summary>
    public bool CharNgrams { get; }

    /// <summary>
    /// Per context feature (the last terms of the vocabulary), the share of training comments with that value among
    /// those whose column had a known value. A comment whose value is unknown gets each of the column's features at
    /// weight × share: the training comments' average, so a linear model scores it with the average of its context
    /// logits. Training shows a share of comments this way too (<see cref="TrainingOptions.ContextDropout"/>), so it is
    /// a state the heads have learned. Empty when there are no context features.
    /// </summary>
    public IReadOnlyList<float> ContextShares { get; }

    // Per context column, the range of its features in the vocabulary.
    private readonly Dictionary<string, (int Start, int Count)> _contextRanges = new(StringComparer.Ordinal);

    public TextFeatures(IReadOnlyList<string> terms, IReadOnlyList<float> idf, bool charNgrams = false, IReadOnlyList<float>? contextShares = null)
    {
        CharNgrams = charNgrams;
        if (terms.Count != idf.Count)
        {
            throw new ArgumentException("one idf per term", nameof(idf));
        }
        Terms = terms;
        Idf = idf;
        _index = new Dictionary<string, int>(terms.Count, StringComparer.Ordinal);
        for (var i = 0; i < terms.Count; i++)
        {
            _index[terms[i]] = i;
            if (terms[i].Length > 1 && terms[i][0] == ContextMark && terms[i].IndexOf(ContextMark, 1) is var end and > 0)
            {
                var column = terms[i][1..end];
                _contextRanges[column] = _contextRanges.TryGetValue(column, out var range) ? (range.Start, range.Count + 1) : (i, 1);
            }
        }
        var contextTerms = _contextRanges.Values.Sum(r => r.Count);
        ContextShares = contextShares ?? [];
        if (ContextShares.Count != contextTerms)
        {
            throw new ArgumentException("one share per context feature", nameof(contextShares));
        }
    }

    private const char ContextMark = '\u0001';

    /// <summary>The index of the first context feature (they end the vocabulary).</summary>
    public int ContextStart => Terms.Count - ContextShares.Count;

    /// <summary>
    /// The context features of a transformed comment as one dense vector, or null without context features: what the
    /// token attention head reads when it reads context (<see cref="TokenAttention.ContextDimension"/>).
    /// </summary>
    public float[]? DenseContext(int[] indices, float[] values)
    {
        if (ContextShares.Count == 0)
        {
            return null;
        }
        var context = new float[ContextShares.Count];
        for (var k = 0; k < indices.Length; k++)
        {
            if (indices[k] >= ContextStart)
            {
                context[indices[k] - ContextStart] = values[k];
            }
        }
        return context;
    }

    /// <summary>Learns the vocabulary: terms in at least <paramref name="minDocuments"/> comments, most frequent first, at most <paramref name="maxTerms"/>.</summary>
    public static TextFeatures Learn(IEnumerable<string> texts, int minDocuments = 2, int maxTerms = 50_000, bool charNgrams = false)
    {
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var n = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            n++;
            seen.Clear();
            foreach (var term in TermsOf(text, charNgrams))
            {
                if (seen.Add(term))
                {
                    df[term] = df.GetValueOrDefault(term) + 1;
                }
            }
        }
        var kept = df.Where(p => p.Value >= minDocuments)
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(maxTerms).ToList();
        var terms = kept.Select(p => p.Key).ToArray();
        var idf = kept.Select(p => (float)(Math.Log((1.0 + n) / (1.0 + p.Value)) + 1.0)).ToArray();
        return new TextFeatures(terms, idf, charNgrams);
    }

    /// <summary>The feature name of a context value; no word or character n-gram can look like it.</summary>
    public static string ContextTerm(string column, string value) => ContextMark + column + ContextMark + value;

    /// <summary>
    /// These features plus one per value of each context column seen in at least <paramref name="minDocuments"/>
    /// comments. A context feature is 0 or <paramref name="weight"/> (kept in the idf slot) beside the unit-length
    /// TF-IDF part; a comment whose value is missing or rarer than that gets the column's average (see
    /// <see cref="ContextShares"/>).
    /// </summary>
    public TextFeatures WithContext(IReadOnlyList<string> columns, IEnumerable<IReadOnlyDictionary<string, string>?> contexts, int minDocuments, float weight)
    {
        if (columns.Count == 0)
        {
            return this;
        }
        var counts = columns.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToArray();
        foreach (var context in contexts)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                if (context?.GetValueOrDefault(columns[c]) is { } value)
                {
                    counts[c][value] = counts[c].GetValueOrDefault(value) + 1;
                }
            }
        }
        var terms = Terms.Take(ContextStart).ToList();
        var idf = Idf.Take(terms.Count).ToList();
        var shares = new List<float>();
        for (var c = 0; c < columns.Count; c++)
        {
            var kept = counts[c].Where(p => p.Value >= minDocuments)
                .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
            var total = (float)kept.Sum(p => p.Value);
            foreach (var (value, count) in kept)
            {
                terms.Add(ContextTerm(columns[c], value));
                idf.Add(weight);
                shares.Add(count / total);
            }
        }
        return new TextFeatures(terms, idf, CharNgrams, shares);
    }

    /// <summary>The comment's TF-IDF, then its context features (see <see cref="WithContext"/>).</summary>
    public (int[] Indices, float[] Values) Transform(string text, IReadOnlyList<string>? columns, IReadOnlyDictionary<string, string>? context)
    {
        var (indices, values) = Transform(text);
        if (columns is null || columns.Count == 0 || ContextShares.Count == 0)
        {
            return (indices, values);
        }
        var extra = new List<(int Index, float Value)>();
        foreach (var column in columns)
        {
            if (!_contextRanges.TryGetValue(column, out var range))
            {
                continue;
            }
            if (context?.GetValueOrDefault(column) is { } value && _index.TryGetValue(ContextTerm(column, value), out var i))
            {
                extra.Add((i, Idf[i]));
            }
            else
            {
                for (var k = range.Start; k < range.Start + range.Count; k++)
                {
                    extra.Add((k, Idf[k] * ContextShares[k - ContextStart]));
                }
            }
        }
        extra.Sort((a, b) => a.Index.CompareTo(b.Index));
        return ([.. indices, .. extra.Select(e => e.Index)], [.. values, .. extra.Select(e => e.Value)]);
    }

    public (int[] Indices, float[] Values) Transform(string text)
    {
        var counts = new Dictionary<int, int>();
        foreach (var term in TermsOf(text, CharNgrams))
        {
            if (_index.TryGetValue(term, out var i))
            {
                counts[i] = counts.GetValueOrDefault(i) + 1;
            }
        }
        var indices = counts.Keys.Order().ToArray();
        var values = new float[indices.Length];
        double norm = 0;
        for (var k = 0; k < indices.Length; k++)
        {
            var v = (1.0 + Math.Log(counts[indices[k]])) * Idf[indices[k]];
            values[k] = (float)v;
            norm += v * v;
        }
        if (norm > 0)
        {
            var scale = (float)(1.0 / Math.Sqrt(norm));
            for (var k = 0; k < values.Length; k++)
            {
                values[k] *= scale;
            }
        }
        return (indices, values);
    }

    /// <summary>Lower-cased words (letters and digits; apostrophes dropped so "couldn't" is one word) and adjacent pairs.</summary>
    public static IEnumerable<string> TermsOf(string text, bool charNgrams = false)
    {
        var words = Words(text);
        for (var i = 0; i < words.Count; i++)
        {
            yield return words[i];
            if (i + 1 < words.Count)
            {
                yield return words[i] + " " + words[i + 1];
            }
            if (charNgrams)
            {
                // "<" and ">" mark word edges, so "<wait" (a word start) differs from "wait" inside "await".
                var padded = "<" + words[i] + ">";
                for (var n = 3; n <= 5; n++)
                {
                    for (var start = 0; start + n <= padded.Length; start++)
                    {
                        yield return "#" + padded.Substring(start, n);
                    }
                }
            }
        }
    }

    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLower(c, CultureInfo.InvariantCulture));
            }
            else if (c is '\'' or '\u2019')
            {
                continue;
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }
        return words;
    }
}
