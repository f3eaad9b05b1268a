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

    public TextFeatures(IReadOnlyList<string> terms, IReadOnlyList<float> idf, bool charNgrams = false)
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
        }
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
    public static string ContextTerm(string column, string value) => "\u0001" + column + "\u0001" + value;

    /// <summary>
    /// These features plus one per value of each context column seen in at least <paramref name="minDocuments"/>
    /// comments. A context feature is 0 or <paramref name="weight"/> (kept in the idf slot) beside the unit-length
    /// TF-IDF part, so the vocabulary and idf lists hold it and a model file needs nothing more.
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
        var terms = Terms.ToList();
        var idf = Idf.ToList();
        for (var c = 0; c < columns.Count; c++)
        {
            foreach (var (value, _) in counts[c].Where(p => p.Value >= minDocuments)
                         .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
            {
                terms.Add(ContextTerm(columns[c], value));
                idf.Add(weight);
            }
        }
        return new TextFeatures(terms, idf, CharNgrams);
    }

    /// <summary>The comment's TF-IDF, then its context features (see <see cref="WithContext"/>).</summary>
    public (int[] Indices, float[] Values) Transform(string text, IReadOnlyList<string>? columns, IReadOnlyDictionary<string, string>? context)
    {
        var (indices, values) = Transform(text);
        if (columns is null || columns.Count == 0 || context is null || context.Count == 0)
        {
            return (indices, values);
        }
        var extra = new List<int>();
        foreach (var column in columns)
        {
            if (context.GetValueOrDefault(column) is { } value && _index.TryGetValue(ContextTerm(column, value), out var i))
            {
                extra.Add(i);
            }
        }
        if (extra.Count == 0)
        {
            return (indices, values);
        }
        extra.Sort();
        return ([.. indices, .. extra], [.. values, .. extra.Select(i => Idf[i])]);
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
