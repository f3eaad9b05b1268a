using System.Text;

namespace Drawbridge.Safety.Bench;

/// <summary>Benchmark inputs built from the labelled corpus: realistic posts, with and without findings.</summary>
internal static class Texts
{
    public static string[] Posts { get; } = Load();

    /// <summary>About 1,000 characters: consecutive corpus posts joined by line breaks.</summary>
    public static string Post1000 { get; } = Join(1000, 40);

    /// <summary>About 1 MB (2^20 UTF-16 code units) of posts.</summary>
    public static string OneMegabyte { get; } = Join(1 << 20, 0);

    private static string[] Load()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Corpus");
        var lines = new List<string>();
        foreach (var file in new[] { "posts.txt", "holdout.txt" })
        {
            foreach (var line in File.ReadLines(Path.Combine(dir, file)))
            {
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }
                lines.Add(Strip(line));
            }
        }
        return [.. lines];
    }

    // Labels are written [[rule|text]]; the benchmark reads the plain text.
    private static string Strip(string marked)
    {
        var sb = new StringBuilder(marked.Length);
        var i = 0;
        while (i < marked.Length)
        {
            var open = marked.IndexOf("[[", i, StringComparison.Ordinal);
            if (open < 0)
            {
                sb.Append(marked, i, marked.Length - i);
                break;
            }
            sb.Append(marked, i, open - i);
            var bar = marked.IndexOf('|', open);
            var close = marked.IndexOf("]]", open, StringComparison.Ordinal);
            sb.Append(marked, bar + 1, close - bar - 1);
            i = close + 2;
        }
        return sb.ToString();
    }

    private static string Join(int length, int skip)
    {
        var sb = new StringBuilder(length + 200);
        for (var i = skip; sb.Length < length; i++)
        {
            sb.Append(Posts[i % Posts.Length]).Append('\n');
        }
        return sb.ToString(0, length);
    }
}
