using System.Numerics.Tensors;

namespace Drawbridge.Insights;

/// <summary>
/// A group of similar comments, named by the words that set it apart. <see cref="Comments"/> are the group's comments as
/// positions in the list given to <see cref="EmergingTopics.Find"/>, most typical first.
/// </summary>
public sealed record EmergingTopic(string Name, IReadOnlyList<string> Keywords, int Count, IReadOnlyList<string> Examples, IReadOnlyList<int> Comments)
{
    /// <summary>
    /// How far the comments are from the framework's themes, 0 to 1: one minus their best theme's score as a share of its
    /// threshold, on average (1 without a model). Near 0, the group is comments a theme almost claimed.
    /// </summary>
    public double Novelty { get; init; } = 1;

    /// <summary>The theme most of the comments came closest to (null without a model), and the share of them that did.</summary>
    public string? NearestTheme { get; init; }
    public double NearestShare { get; init; }
}

public sealed record TopicOptions
{
    /// <summary>How many clusters to look for; by default the square root of the comments over <see cref="CommentsPerCluster"/>, 2 to 30.</summary>
    public int? Clusters { get; init; }

    public double CommentsPerCluster { get; init; } = 2;

    /// <summary>Smaller clusters are not reported.</summary>
    public int MinSize { get; init; } = 5;

    /// <summary>
    /// With a model, a comment is looked at when its best theme's score is below this share of the theme's threshold:
    /// 1 takes every comment no theme claims; lower leaves out the ones a theme nearly claimed.
    /// </summary>
    public float MaxCoverage { get; init; } = 1f;

    /// <summary>Topics in order of their comments' summed novelty (<see cref="EmergingTopic.Novelty"/>), else of size.</summary>
    public bool ByNovelty { get; init; } = true;

    public int Seed { get; init; } = 17;
    public int Examples { get; init; } = 3;
    public int Keywords { get; init; } = 3;
}

public sealed record TopicsResult(int Comments, int Uncovered, IReadOnlyList<EmergingTopic> Topics);

/// <summary>
/// Finds what people talk about that a framework does not cover: comments no theme claims are embedded, grouped with
/// k-means (cosine, k-means++ start, seeded), and each group is named by its most characteristic words (frequent in the
/// group, rare among all the comments). With a model, groups far from every theme come first: comments that a theme
/// nearly claimed are more often that theme's misses than something new.
/// </summary>
public static class EmergingTopics
{
    /// <param name="contexts">The comments' context values by column, for a model that reads context columns (as when classifying).</param>
    public static TopicsResult Find(IReadOnlyList<string> texts, ISentenceEmbedder embedder, FeedbackClassifier? coveredBy = null,
        TopicOptions? options = null, IProgress<int>? progress = null, IReadOnlyList<IReadOnlyDictionary<string, string>?>? contexts = null)
    {
        options ??= new TopicOptions();
        // Progress counts the comments embedded: all of them, to measure them against the themes, or to cluster them.
        var coverage = coveredBy?.CoverageMany(texts, contexts, progress);
        var uncovered = coverage?.Count(c => !c.Covered) ?? texts.Count;
        var positions = Enumerable.Range(0, texts.Count)
            .Where(i => coverage is null || (!coverage[i].Covered && coverage[i].Share < options.MaxCoverage)).ToArray();
        var candidates = positions.Select(i => texts[i]).ToList();
        if (candidates.Count < Math.Max(2, options.MinSize))
        {
            return new TopicsResult(texts.Count, uncovered, []);
        }
        // Clustered by the part of the embedding made for comparing comments (the model's own sentence embedding).
        var similarity = embedder.SimilarityDimension;
        var vectors = embedder.Embed(candidates, coverage is null ? progress : null)
            .Select(v => v.Length == similarity ? v : UnitLength(v[..similarity])).ToArray();
        var k = options.Clusters ?? Math.Clamp((int)Math.Round(Math.Sqrt(candidates.Count / options.CommentsPerCluster)), 2, 30);
        k = Math.Min(k, candidates.Count);
        var (assignment, centroids) = KMeans(vectors, k, options.Seed);
        var novelty = positions.Select(i => coverage is null ? 1.0 : 1.0 - Math.Min(1f, coverage[i].Share)).ToArray();

        // A group's words are weighed against all the comments, so words every theme's comments use ("staff", "care")
        // do not name it.
        var terms = texts.Select(t => TextFeatures.TermsOf(t).Where(IsContentTerm).Distinct().ToArray()).ToArray();
        var words = positions.Select(i => terms[i]).ToArray();
        var overall = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var doc in terms)
        {
            foreach (var w in doc)
            {
                overall[w] = overall.GetValueOrDefault(w) + 1;
            }
        }
        var topics = new List<EmergingTopic>();
        for (var c = 0; c < k; c++)
        {
            var members = Enumerable.Range(0, candidates.Count).Where(i => assignment[i] == c).ToArray();
            if (members.Length < options.MinSize)
            {
                continue;
            }
            var inCluster = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var i in members)
            {
                foreach (var w in words[i])
                {
                    inCluster[w] = inCluster.GetValueOrDefault(w) + 1;
                }
            }
            var ranked = inCluster.Where(p => p.Value >= 2)
                .Select(p => (Term: p.Key, Score: (double)p.Value / members.Length * Math.Log(1.0 + (double)texts.Count / overall[p.Key])))
                .OrderByDescending(p => p.Score).ThenBy(p => p.Term, StringComparer.Ordinal)
                .Select(p => p.Term);
            var keywords = new List<string>();
            foreach (var term in ranked)
            {
                // "waiting" adds nothing next to "waiting time".
                if (keywords.Any(kw => kw.Split(' ').Contains(term) || term.Split(' ').Contains(kw)))
                {
                    continue;
                }
                keywords.Add(term);
                if (keywords.Count == options.Keywords)
                {
                    break;
                }
            }
            if (keywords.Count == 0)
            {
                continue;
            }
            var typical = members.OrderByDescending(i => TensorPrimitives.Dot(vectors[i], centroids[c])).ToArray();
            var examples = typical.Select(i => candidates[i]).Distinct(StringComparer.OrdinalIgnoreCase).Take(options.Examples).ToList();
            var topic = new EmergingTopic(string.Join(" / ", keywords), keywords, members.Length, examples, typical.Select(i => positions[i]).ToArray())
            {
                Novelty = members.Average(i => novelty[i]),
            };
            if (coverage is not null)
            {
                var nearest = members.Select(i => coverage[positions[i]].Theme).Where(t => t >= 0)
                    .GroupBy(t => t).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).FirstOrDefault();
                if (nearest is not null)
                {
                    topic = topic with
                    {
                        NearestTheme = coveredBy!.Model.Framework.Themes[nearest.Key].Name,
                        NearestShare = (double)nearest.Count() / members.Length,
                    };
                }
            }
            topics.Add(topic);
        }
        var order = options.ByNovelty ? topics.OrderByDescending(t => t.Novelty * t.Count) : topics.OrderByDescending(t => t.Count);
        return new TopicsResult(texts.Count, uncovered, order.ThenBy(t => t.Name, StringComparer.Ordinal).ToList());
    }

    private static float[] UnitLength(float[] vector)
    {
        MiniLmEmbedder.ToLength(vector, 1f);
        return vector;
    }

    internal static (int[] Assignment, float[][] Centroids) KMeans(float[][] vectors, int k, int seed)
    {
        var n = vectors.Length;
        var dim = vectors[0].Length;
        var random = new Random(seed);
        var centroids = new float[k][];
        centroids[0] = (float[])vectors[random.Next(n)].Clone();
        var distance = new double[n];
        for (var c = 1; c < k; c++)
        {
            double total = 0;
            for (var i = 0; i < n; i++)
            {
                var best = double.MaxValue;
                for (var j = 0; j < c; j++)
                {
                    best = Math.Min(best, 1 - TensorPrimitives.Dot(vectors[i], centroids[j]));
                }
                distance[i] = Math.Max(0, best);
                total += distance[i];
            }
            var pick = random.NextDouble() * total;
            var chosen = n - 1;
            for (var i = 0; i < n; i++)
            {
                pick -= distance[i];
                if (pick <= 0)
                {
                    chosen = i;
                    break;
                }
            }
            centroids[c] = (float[])vectors[chosen].Clone();
        }
        var assignment = new int[n];
        for (var iteration = 0; iteration < 30; iteration++)
        {
            var changed = false;
            for (var i = 0; i < n; i++)
            {
                var best = 0;
                var bestScore = float.NegativeInfinity;
                for (var c = 0; c < k; c++)
                {
                    var score = TensorPrimitives.Dot(vectors[i], centroids[c]);
                    if (score > bestScore)
                    {
                        bestScore = score;
                        best = c;
                    }
                }
                if (assignment[i] != best || iteration == 0)
                {
                    changed |= assignment[i] != best;
                    assignment[i] = best;
                }
            }
            if (!changed && iteration > 0)
            {
                break;
            }
            for (var c = 0; c < k; c++)
            {
                var sum = new float[dim];
                var count = 0;
                for (var i = 0; i < n; i++)
                {
                    if (assignment[i] != c)
                    {
                        continue;
                    }
                    count++;
                    for (var d = 0; d < dim; d++)
                    {
                        sum[d] += vectors[i][d];
                    }
                }
                if (count == 0)
                {
                    continue;
                }
                var norm = MathF.Sqrt(sum.Sum(v => v * v));
                for (var d = 0; d < dim; d++)
                {
                    sum[d] /= norm > 0 ? norm : 1;
                }
                centroids[c] = sum;
            }
        }
        return (assignment, centroids);
    }

    private static bool IsContentTerm(string term)
    {
        var parts = term.Split(' ');
        // Digits and redaction marks ("xxxx" where a name was taken out) say nothing about a topic.
        return parts.All(p => p.Length > 1 && !p.All(char.IsDigit) && !(p.Length >= 3 && p.All(ch => ch == p[0])))
            && !parts.Any(StopWords.Contains);
    }

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being", "but", "by",
        "can", "could", "couldnt", "did", "didnt", "do", "does", "doesnt", "dont", "during", "each", "even", "ever", "every", "for", "from",
        "get", "got", "had", "has", "have", "having", "he", "her", "here", "him", "his", "how", "i", "if", "im", "in", "into", "is", "isnt",
        "it", "its", "ive", "just", "me", "more", "most", "much", "my", "no", "not", "nothing", "now", "of", "on", "one", "only", "or", "other",
        "our", "out", "over", "really", "she", "so", "some", "than", "that", "the", "their", "them", "then", "there", "these", "they",
        "this", "those", "through", "to", "too", "up", "us", "very", "was", "wasnt", "we", "were", "what", "when", "where", "which", "while",
        "who", "will", "with", "would", "wouldnt", "you", "your", "well", "good", "great", "nice", "lovely", "thank", "thanks", "always",
        "been", "made", "make", "could", "should", "may", "might", "must", "said", "say", "time", "times", "way", "lot", "lots", "bit",
    };
}
