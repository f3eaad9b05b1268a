using System.Diagnostics;
using Drawbridge.Insights;

/// <summary>
/// <c>--topics-eval</c>: does a theme the framework lacks come up as an emerging topic? A few distinct subcategories are
/// taken out of the framework, a model is trained on the other themes (60 % of the comments), and topics are found among
/// the other 40 % ("recent feedback"). For each theme taken out: how many of its recent comments no theme claims, and the
/// topic that best matches them (precision, recall among the unclaimed, F1, its rank in the list, its name).
/// </summary>
internal static class TopicsEvaluation
{
    // Things people say that a framework might not have a theme for, of different sizes.
    private static readonly string[] HeldOut =
    [
        "Food", "Time spent waiting for first appt/referral/service", "Activities", "Medication", "Cleanliness", "Staffing levels",
    ];

    public static void Run(IReadOnlyList<FeedbackRow> rows, Framework columns, ISentenceEmbedder embedder, TrainingOptions options, int seed,
        IReadOnlyList<(string Name, TopicOptions Options)> variants)
    {
        var held = HeldOut.Select(h => columns.Themes.ToList().FindIndex(t => (t.Column ?? t.Name)!.Trim() == h)).ToArray();
        if (held.Any(h => h < 0))
        {
            throw new InvalidOperationException("a held-out theme is not in the framework");
        }
        var kept = Enumerable.Range(0, columns.Themes.Count).Where(k => !held.Contains(k)).ToArray();
        var reduced = columns with { Name = columns.Name + " without " + HeldOut.Length, Themes = kept.Select(k => columns.Themes[k]).ToList() };
        var newIndex = kept.Select((k, j) => (k, j)).ToDictionary(p => p.k, p => p.j);
        var order = Enumerable.Range(0, rows.Count).ToArray();
        new Random(seed).Shuffle(order);
        var cut = rows.Count * 6 / 10;
        var train = order.Take(cut).Select(i => rows[i] with { Themes = rows[i].Themes.Where(newIndex.ContainsKey).Select(k => newIndex[k]).ToList() }).ToList();
        var recent = order.Skip(cut).Select(i => rows[i]).ToArray();
        var texts = recent.Select(r => r.Text).ToArray();
        // Whether a recent comment carries a theme that was taken out.
        var isNew = recent.Select(r => held.Any(r.Themes.Contains)).ToArray();
        Console.WriteLine($"== emerging topics: {HeldOut.Length} themes taken out of the framework; trained on {train.Count} comments with {reduced.Themes.Count} themes; topics among {recent.Length} recent comments");
        var clock = Stopwatch.StartNew();
        var model = InsightsTrainer.Train(reduced, train, embedder, options);
        var classifier = new FeedbackClassifier(model, embedder);
        Console.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F1} s");
        var coverage = classifier.CoverageMany(texts);
        var unclaimed = Enumerable.Range(0, texts.Length).Where(i => !coverage[i].Covered).ToHashSet();
        var heldShare = unclaimed.Where(i => isNew[i]).Select(i => coverage[i].Share).DefaultIfEmpty().Average();
        var otherShare = unclaimed.Where(i => !isNew[i]).Select(i => coverage[i].Share).DefaultIfEmpty().Average();
        Console.WriteLine($"unclaimed comments' best theme score as a share of its threshold: {heldShare:F2} for those of the themes taken out, {otherShare:F2} for the others");
        Console.WriteLine($"{unclaimed.Count} of {texts.Length} recent comments claimed by no theme");
        foreach (var (name, topicOptions) in variants)
        {
            clock.Restart();
            var result = EmergingTopics.Find(texts, embedder, classifier, topicOptions);
            Console.WriteLine();
            Console.WriteLine($"-- {name}: {result.Topics.Count} topics in {clock.Elapsed.TotalSeconds:F1} s (embeddings cached)");
            var f1s = new List<double>();
            var ranks = new List<int>();
            var found = 0;
            for (var h = 0; h < held.Length; h++)
            {
                var members = Enumerable.Range(0, recent.Length).Where(i => recent[i].Themes.Contains(held[h])).ToArray();
                var missed = members.Where(unclaimed.Contains).ToHashSet();
                var best = result.Topics.Select((t, r) =>
                {
                    var hits = t.Comments.Count(missed.Contains);
                    var precision = (double)hits / t.Comments.Count;
                    var recall = missed.Count == 0 ? 0 : (double)hits / missed.Count;
                    return (Rank: r + 1, Topic: t, Precision: precision, Recall: recall, F1: hits == 0 ? 0 : 2 * precision * recall / (precision + recall));
                }).OrderByDescending(b => b.F1).FirstOrDefault();
                f1s.Add(best.Topic is null ? 0 : best.F1);
                ranks.Add(best.Topic is null ? result.Topics.Count + 1 : best.Rank);
                var isFound = best.Topic is not null && best.Precision >= 0.5 && best.Recall >= 0.3 && best.Rank <= 10;
                found += isFound ? 1 : 0;
                Console.WriteLine($"  {HeldOut[h],-52} {members.Length,4} recent, {missed.Count,4} unclaimed; best topic: " +
                    (best.Topic is null ? "none" : $"#{best.Rank} \"{best.Topic.Name}\" ({best.Topic.Count}) precision {best.Precision:F2} recall {best.Recall:F2} F1 {best.F1:F2}{(isFound ? " FOUND" : "")}"));
            }
            var inHeld = result.Topics.Sum(t => t.Comments.Count(i => isNew[i]));
            var first = result.Topics.Take(5).ToList();
            var firstHeld = first.Sum(t => t.Comments.Count(i => isNew[i]));
            Console.WriteLine($"  mean best F1 {f1s.Average():F3} at mean rank {ranks.Average():F1}; found (precision >= 0.5, recall >= 0.3, in the first 10) {found} of {held.Length}; " +
                $"comments in topics {result.Topics.Sum(t => t.Count)}, of which from the themes taken out {inHeld}; " +
                $"in the first 5 topics {first.Sum(t => t.Count)}, of which from the themes taken out {firstHeld} ({(double)firstHeld / Math.Max(1, first.Sum(t => t.Count)):P0})");
            foreach (var (t, r) in result.Topics.Select((t, r) => (t, r)).Take(12))
            {
                Console.WriteLine($"    {r + 1,2}. {t.Name} ({t.Count}; novelty {t.Novelty:F2}, nearest {t.NearestTheme} {t.NearestShare:P0}; mean share {t.Comments.Average(i => coverage[i].Share):F2}; from the themes taken out {t.Comments.Count(i => isNew[i])})");
            }
        }
    }
}
