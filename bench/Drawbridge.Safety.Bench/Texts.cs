using System.Text;
using Microsoft.VisualBasic.FileIO;

namespace Drawbridge.Safety.Bench;

/// <summary>Benchmark inputs built from the labelled corpus: realistic posts, with and without findings.</summary>
internal static class Texts
{
    public static string[] Posts { get; } = Load();

    /// <summary>Real patient feedback (development data, read from shared/data/feedback): what typical text looks like.</summary>
    public static string[] Feedback { get; } = LoadFeedback();

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

    private static string[] LoadFeedback()
    {
        // Walk up from the build output to the folder that holds shared/data/feedback.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "shared", "data", "feedback", "phase1-text-data.csv");
            if (File.Exists(file))
            {
                using var parser = new TextFieldParser(file) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
                parser.SetDelimiters(",");
                var header = parser.ReadFields() ?? [];
                var column = Array.IndexOf(header, "feedback");
                var rows = new List<string>();
                while (!parser.EndOfData)
                {
                    var fields = parser.ReadFields();
                    if (fields is not null && column < fields.Length && !string.IsNullOrWhiteSpace(fields[column]))
                    {
                        rows.Add(fields[column]);
                    }
                }
                return [.. rows];
            }
        }
        throw new InvalidOperationException(
            "shared/data/feedback/phase1-text-data.csv was not found in any folder above " + AppContext.BaseDirectory +
            "; the benchmark needs the development data beside the repository (../shared/data/feedback).");
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
