namespace Drawbridge.Accounts;

/// <summary>
/// The OAuth scopes tokens carry: Mastodon's, so its apps ask for what they know. A parent (read, write) grants all its
/// children (read:statuses…); the old follow scope grants the follow, block and mute children.
/// </summary>
public static class ApiScopes
{
    /// <summary>What a token made by hand (Settings, the sign-in endpoint) may do: everything a person can.</summary>
    public const string Full = "read write follow push";

    public static readonly string[] ReadChildren =
        ["read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters", "read:follows", "read:lists", "read:mutes", "read:notifications", "read:search", "read:statuses"];

    public static readonly string[] WriteChildren =
        ["write:accounts", "write:blocks", "write:bookmarks", "write:conversations", "write:favourites", "write:filters", "write:follows", "write:lists", "write:media", "write:mutes", "write:notifications", "write:reports", "write:statuses"];

    private static readonly string[] FollowChildren = ["read:blocks", "write:blocks", "read:follows", "write:follows", "read:mutes", "write:mutes"];

    /// <summary>Every scope an app may ask for.</summary>
    public static readonly string[] All = ["read", "write", "follow", "push", "profile", .. ReadChildren, .. WriteChildren];

    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Splits a scope list as clients send it: separated by spaces, or by + when not decoded.</summary>
    public static string[] Parse(string? scopes) =>
        (scopes ?? "").Split([' ', '+', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();

    public static bool IsKnown(string scope) => Known.Contains(scope);

    /// <summary>The scopes with duplicates and unknown words dropped, in a stable order, separated by spaces.</summary>
    public static string Normalise(string? scopes) => string.Join(' ', Parse(scopes).Where(IsKnown));

    /// <summary>Whether a token with <paramref name="granted"/> may use an endpoint that needs <paramref name="required"/>.</summary>
    public static bool Allows(string granted, string required)
    {
        var colon = required.IndexOf(':', StringComparison.Ordinal);
        var parent = colon > 0 ? required[..colon] : null;
        foreach (var range in granted.AsSpan().Split(' '))
        {
            var scope = granted.AsSpan(range);
            if (scope.SequenceEqual(required) || (parent is not null && scope.SequenceEqual(parent)))
            {
                return true;
            }
            if (scope.SequenceEqual("follow") && Array.IndexOf(FollowChildren, required) >= 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A scope and everything it grants, for an app's permissions: an app registered for read may ask for read:statuses.</summary>
    public static IEnumerable<string> WithChildren(string scope) => scope switch
    {
        "read" => ["read", .. ReadChildren],
        "write" => ["write", .. WriteChildren],
        "follow" => ["follow", .. FollowChildren],
        _ => [scope],
    };
}
