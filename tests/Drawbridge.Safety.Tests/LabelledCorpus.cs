using System.Text;

namespace Drawbridge.Safety.Tests;

/// <summary>A labelled span in a corpus post.</summary>
public sealed record GoldSpan(string Rule, int Start, int End);

/// <summary>A corpus post: its plain text and its labelled spans.</summary>
public sealed record LabelledPost(int Line, string Text, IReadOnlyList<GoldSpan> Spans);

/// <summary>Reads Corpus/posts.txt: one post a line, spans written [[rule|text]].</summary>
public static class LabelledCorpus
{
    public static IReadOnlyList<LabelledPost> Load(string file = "posts.txt")
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Corpus", file);
        var posts = new List<LabelledPost>();
        var lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            if (raw.Length == 0 || raw.StartsWith('#'))
            {
                continue;
            }
            posts.Add(Parse(raw.Replace("\\n", "\n", StringComparison.Ordinal), lineNo));
        }
        return posts;
    }

    public static LabelledPost Parse(string marked, int line = 0)
    {
        var text = new StringBuilder(marked.Length);
        var spans = new List<GoldSpan>();
        var i = 0;
        while (i < marked.Length)
        {
            var open = marked.IndexOf("[[", i, StringComparison.Ordinal);
            if (open < 0)
            {
                text.Append(marked, i, marked.Length - i);
                break;
            }
            text.Append(marked, i, open - i);
            var bar = marked.IndexOf('|', open);
            var close = marked.IndexOf("]]", open, StringComparison.Ordinal);
            if (bar < 0 || close < 0 || bar > close)
            {
                throw new FormatException($"corpus line {line}: unclosed or malformed [[rule|text]] label");
            }
            var rule = marked[(open + 2)..bar];
            if (!SafetyRules.All.Contains(rule))
            {
                throw new FormatException($"corpus line {line}: unknown rule '{rule}'");
            }
            var start = text.Length;
            text.Append(marked, bar + 1, close - bar - 1);
            spans.Add(new GoldSpan(rule, start, text.Length));
            i = close + 2;
        }
        return new LabelledPost(line, text.ToString(), spans);
    }
}

/// <summary>Per-rule counts: a finding matches a labelled span of the same rule when they overlap (one to one).</summary>
public sealed class RuleScore
{
    public int TruePositives { get; set; }
    public int FalsePositives { get; set; }
    public int FalseNegatives { get; set; }
    public int ExactSpans { get; set; }

    public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);
    public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);
    public int Support => TruePositives + FalseNegatives;
}

public static class Scoring
{
    public static (Dictionary<string, RuleScore> Scores, List<string> Errors) Score(IReadOnlyList<LabelledPost> posts, DateOnly today)
    {
        var scores = SafetyRules.All.ToDictionary(r => r, _ => new RuleScore());
        var errors = new List<string>();
        foreach (var post in posts)
        {
            var found = SafetyChecker.Check(post.Text, new SafetyContext { Today = today })
                .Where(f => f.Rule != SafetyRules.ImageConsent).ToList();
            var used = new bool[found.Count];
            foreach (var gold in post.Spans)
            {
                var match = -1;
                for (var k = 0; k < found.Count; k++)
                {
                    if (!used[k] && found[k].Rule == gold.Rule && found[k].Start < gold.End && gold.Start < found[k].End)
                    {
                        match = k;
                        break;
                    }
                }
                var score = scores[gold.Rule];
                if (match >= 0)
                {
                    used[match] = true;
                    score.TruePositives++;
                    if (found[match].Start == gold.Start && found[match].End == gold.End)
                    {
                        score.ExactSpans++;
                    }
                }
                else
                {
                    score.FalseNegatives++;
                    errors.Add($"MISSED {gold.Rule} '{post.Text[gold.Start..gold.End]}' (line {post.Line}): {post.Text}");
                }
            }
            for (var k = 0; k < found.Count; k++)
            {
                if (!used[k])
                {
                    scores[found[k].Rule].FalsePositives++;
                    errors.Add($"EXTRA  {found[k].Rule} '{found[k].Excerpt(post.Text)}' (line {post.Line}): {post.Text}");
                }
            }
        }
        return (scores, errors);
    }
}
