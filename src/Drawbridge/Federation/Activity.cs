using System.Text.Json;

namespace Drawbridge.Federation;

/// <summary>
/// Reading ActivityStreams JSON as servers send it: a property may be a string, an object with an id, or an array of
/// either; a link may be a string or a Link object. Compacted JSON-LD is all Drawbridge reads (as Mastodon does).
/// </summary>
public static class Activity
{
    public const string Public = "https://www.w3.org/ns/activitystreams#Public";

    /// <summary>A string property, or null.</summary>
    public static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The id a property refers to: the string itself, or the id of the object (the first, for an array).</summary>
    public static string? IdOf(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v))
        {
            return null;
        }
        if (v.ValueKind == JsonValueKind.Array)
        {
            v = v.EnumerateArray().FirstOrDefault();
        }
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object => Str(v, "id"),
            _ => null,
        };
    }

    /// <summary>An embedded object, when the property holds one (not just its id).</summary>
    public static JsonElement? ObjectOf(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    /// <summary>Every id a property lists (to, cc, tag hrefs…).</summary>
    public static IEnumerable<string> Ids(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v))
        {
            yield break;
        }
        var items = v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToList() : [v];
        foreach (var item in items)
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() is { } s)
            {
                yield return s;
            }
            else if (Str(item, "id") is { } id)
            {
                yield return id;
            }
        }
    }

    /// <summary>Objects a property lists (tag, attachment).</summary>
    public static IEnumerable<JsonElement> Objects(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v))
        {
            return [];
        }
        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object).ToList()
            : v.ValueKind == JsonValueKind.Object ? [v] : [];
    }

    /// <summary>A URL property: a string, a Link's href (text/html first), or the first of an array.</summary>
    public static string? UrlOf(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v))
        {
            return null;
        }
        var items = v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToList() : [v];
        string? first = null;
        foreach (var item in items)
        {
            var href = item.ValueKind == JsonValueKind.String ? item.GetString() : Str(item, "href") ?? Str(item, "url");
            if (href is null)
            {
                continue;
            }
            if (item.ValueKind == JsonValueKind.Object && Str(item, "mediaType") == "text/html")
            {
                return href;
            }
            first ??= href;
        }
        return first;
    }

    /// <summary>True when the property names the public collection (in any of the forms servers write it).</summary>
    public static bool IsPublic(string id) => id is Public or "as:Public" or "Public";

    /// <summary>The actor's type names this is one of (the type property may be an array).</summary>
    public static string? TypeOf(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("type", out var t))
        {
            return null;
        }
        return t.ValueKind switch
        {
            JsonValueKind.String => t.GetString(),
            JsonValueKind.Array => t.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()).FirstOrDefault(),
            _ => null,
        };
    }

    /// <summary>Whether two URIs name the same server (scheme-independent host and port).</summary>
    public static bool SameOrigin(string a, string b) => RemoteAccounts.DomainOf(a) is { } da && da == RemoteAccounts.DomainOf(b);
}
