using System.Text;
using System.Text.RegularExpressions;
using Drawbridge.Data;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Search;

/// <summary>
/// Keeps the SQLite FTS5 table in step with published posts. On PostgreSQL the index is a stored tsvector
/// column that the database maintains itself, so there is nothing to do.
/// </summary>
public sealed class SearchIndex(DrawbridgeDb db)
{
    public async Task IndexAsync(Post post, CancellationToken ct)
    {
        if (db.IsPostgres)
        {
            return;
        }
        await db.Database.ExecuteSqlRawAsync("DELETE FROM post_search WHERE rowid = {0}", [post.Id], ct);
        await db.Database.ExecuteSqlRawAsync("INSERT INTO post_search(rowid, body) VALUES ({0}, {1})", [post.Id, $"{post.Title} {post.Summary} {post.Content}"], ct);
    }

    public async Task RemoveAsync(long postId, CancellationToken ct)
    {
        if (!db.IsPostgres)
        {
            await db.Database.ExecuteSqlRawAsync("DELETE FROM post_search WHERE rowid = {0}", [postId], ct);
        }
    }
}

/// <summary>
/// A user's search words, parsed once into the tokens both engines agree on (letters and digits, lower case)
/// and phrases in double quotes. Both FTS5 and tsquery are built from these tokens only, so no operator
/// syntax from the user reaches either engine.
/// </summary>
public sealed partial record SearchQuery(IReadOnlyList<IReadOnlyList<string>> Groups)
{
    public bool IsEmpty => Groups.Count == 0;

    public static SearchQuery Parse(string? text)
    {
        var groups = new List<IReadOnlyList<string>>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return new SearchQuery(groups);
        }
        var input = text.Length > 500 ? text[..500] : text;
        foreach (Match m in PartPattern().Matches(input))
        {
            var words = Tokens(m.Groups["phrase"].Success ? m.Groups["phrase"].Value : m.Value);
            if (words.Count == 0)
            {
                continue;
            }
            if (m.Groups["phrase"].Success)
            {
                groups.Add(words);
            }
            else
            {
                groups.AddRange(words.Select(w => (IReadOnlyList<string>)[w]));
            }
        }
        return new SearchQuery(groups.Take(20).ToList());
    }

    public static List<string> Tokens(string text) =>
        TokenPattern().Matches(text).Select(t => t.Value.ToLowerInvariant()).ToList();

    /// <summary>FTS5: every group quoted (a phrase or a single word); all must match.</summary>
    public string ToFts5()
    {
        var sb = new StringBuilder();
        foreach (var g in Groups)
        {
            sb.Append(sb.Length > 0 ? " " : "").Append('"').Append(string.Join(' ', g)).Append('"');
        }
        return sb.ToString();
    }

    /// <summary>tsquery: phrases with the followed-by operator; all groups must match.</summary>
    public string ToTsQuery() => string.Join(" & ", Groups.Select(g => "(" + string.Join(" <-> ", g.Select(w => $"'{w}'")) + ")"));

    [GeneratedRegex("\"(?<phrase>[^\"]*)\"|[^\\s\"]+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PartPattern();

    [GeneratedRegex(@"[\p{L}\p{N}]+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TokenPattern();
}
