using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;

namespace Drawbridge.Mastodon;

/// <summary>Responses as Mastodon's apps expect them: always application/json, errors as <c>{"error": "…"}</c>.</summary>
public static class MastodonResults
{
    private const string ContentType = "application/json; charset=utf-8";

    public static IResult Json<T>(T value, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK) => TypedResults.Json(value, type, ContentType, status);

    public static IResult Error(int status, string message) => Json(new MastodonError(message), MastodonJson.Default.MastodonError, status);

    public static IResult OAuthError(int status, string error, string description) => Json(new OAuthError(error, description), MastodonJson.Default.OAuthError, status);

    public static IResult NotFound(string what = "Record not found") => Error(StatusCodes.Status404NotFound, what);

    /// <summary>Maps a refused command onto Mastodon's statuses: 404, 403, and 422 with the first reason.</summary>
    public static IResult Refused<T>(Outcome<T> outcome) => outcome.Failure switch
    {
        OutcomeFailure.NotFound => NotFound(outcome.FirstError ?? "Record not found"),
        OutcomeFailure.Forbidden => Error(StatusCodes.Status403Forbidden, outcome.FirstError ?? "This action is not allowed"),
        _ => Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: " + (outcome.FirstError ?? "the request was not valid")),
    };

    /// <summary>
    /// Pagination as Mastodon sends it: absolute URLs, rel quoted, "next" for older (max_id) and "prev" for newer
    /// (min_id), keeping the request's other parameters.
    /// </summary>
    public static void Link(HttpContext http, string baseUrl, string? nextMaxId, string? prevMinId)
    {
        if (nextMaxId is null && prevMinId is null)
        {
            return;
        }
        var query = http.Request.Query.Where(q => q.Key is not ("max_id" or "min_id" or "since_id")).ToList();
        string Url(string key, string value)
        {
            var qb = new QueryBuilder(query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? ""))))
            {
                { key, value },
            };
            return $"<{baseUrl}{http.Request.Path}{qb}>";
        }
        var parts = new List<string>(2);
        if (nextMaxId is not null)
        {
            parts.Add(Url("max_id", nextMaxId) + "; rel=\"next\"");
        }
        if (prevMinId is not null)
        {
            parts.Add(Url("min_id", prevMinId) + "; rel=\"prev\"");
        }
        http.Response.Headers.Link = string.Join(", ", parts);
    }
}

/// <summary>Who may use an endpoint: Mastodon's API takes bearer tokens only, each with its scopes.</summary>
public static class MastodonAuth
{
    /// <summary>The account a bearer token acts for, or null (no token, an app's own token, or a sign-in cookie).</summary>
    public static long? Viewer(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, AuthenticationType: BearerTokenHandler.Name } ? http.User.AccountIdOf() : null;

    /// <summary>
    /// Null when the request may go on; else Mastodon's answer: 401 for a missing, wrong or revoked token, 422 for an
    /// app's own token where a person is needed, 403 when the token's scopes don't cover the endpoint.
    /// </summary>
    public static IResult? Refuse(HttpContext http, bool userRequired, params string[] anyScope)
    {
        var bearer = http.User.Identity is { IsAuthenticated: true, AuthenticationType: BearerTokenHandler.Name };
        if (!bearer)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return MastodonResults.Error(StatusCodes.Status401Unauthorized, "The access token is invalid");
        }
        if (userRequired && http.User.AccountIdOf() is null)
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "This method requires an authenticated user");
        }
        var granted = http.User.FindFirstValue(AccountClaims.Scopes) ?? "";
        if (anyScope.Length > 0 && !anyScope.Any(s => ApiScopes.Allows(granted, s)))
        {
            return MastodonResults.Error(StatusCodes.Status403Forbidden, "This action is outside the authorized scopes");
        }
        return null;
    }

    /// <summary>For endpoints anyone may read: a token is optional, but one that was sent must be good.</summary>
    public static IResult? RefuseBadToken(HttpContext http, params string[] anyScope) =>
        http.Request.Headers.Authorization.Count == 0 ? null : Refuse(http, userRequired: false, anyScope);

    /// <summary>An endpoint filter: a person's token with one of these scopes.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] anyScope) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (ctx, next) => Refuse(ctx.HttpContext, userRequired: true, anyScope) ?? await next(ctx));

    /// <summary>An endpoint filter: no token, or a good one with one of these scopes.</summary>
    public static TBuilder OptionalScope<TBuilder>(this TBuilder builder, params string[] anyScope) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (ctx, next) => RefuseBadToken(ctx.HttpContext, anyScope) ?? await next(ctx));

    public static long Me(HttpContext http) => Viewer(http) ?? throw new InvalidOperationException("A person's endpoint was reached without a person's token");
}

/// <summary>Request parameters as Mastodon's apps send them: a JSON object, a form (also multipart), or the query string.</summary>
public sealed class MastodonInput
{
    private readonly JsonElement? _json;
    private readonly IFormCollection? _form;
    private readonly IQueryCollection _query;

    private MastodonInput(JsonElement? json, IFormCollection? form, IQueryCollection query)
    {
        _json = json;
        _form = form;
        _query = query;
    }

    /// <summary>Null when the body is neither a JSON object nor a form that can be read.</summary>
    public static async Task<MastodonInput?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            if (request.HasJsonContentType())
            {
                using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
                return doc.RootElement.ValueKind == JsonValueKind.Object ? new MastodonInput(doc.RootElement.Clone(), null, request.Query) : null;
            }
            if (request.HasFormContentType)
            {
                return new MastodonInput(null, await request.ReadFormAsync(ct), request.Query);
            }
            return new MastodonInput(null, null, request.Query);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException or BadHttpRequestException)
        {
            return null;
        }
    }

    public string? String(string name)
    {
        if (_json is { } j && j.TryGetProperty(name, out var v))
        {
            return v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
                _ => null,
            };
        }
        if (_form is not null && _form.TryGetValue(name, out var f) && f.Count > 0)
        {
            return f[0];
        }
        return _query.TryGetValue(name, out var q) && q.Count > 0 ? q[0] : null;
    }

    /// <summary>A list: a JSON array, repeated <c>name[]</c> fields, or a single value.</summary>
    public IReadOnlyList<string> Strings(string name)
    {
        if (_json is { } j)
        {
            if (j.TryGetProperty(name, out var v) || j.TryGetProperty(name + "[]", out v))
            {
                return v.ValueKind switch
                {
                    JsonValueKind.Array => v.EnumerateArray().Where(e => e.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                        .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList(),
                    JsonValueKind.String => [v.GetString()!],
                    _ => [],
                };
            }
        }
        StringValues values = default;
        if (_form is not null && (_form.TryGetValue(name + "[]", out values) || _form.TryGetValue(name, out values)))
        {
            return values.Where(s => s is not null).Select(s => s!).ToList();
        }
        if (_query.TryGetValue(name + "[]", out values) || _query.TryGetValue(name, out values))
        {
            return values.Where(s => s is not null).Select(s => s!).ToList();
        }
        return [];
    }

    /// <summary>A key of a nested object: <c>{"obj": {"key": …}}</c> in JSON, <c>obj[key]</c> in a form or the query.</summary>
    public string? Nested(string obj, string key) =>
        _json is { } j && j.TryGetProperty(obj, out var o) && o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : String($"{obj}[{key}]");

    /// <summary>An uploaded file of a multipart form.</summary>
    public IFormFile? File(string name) => _form?.Files.GetFile(name);

    /// <summary>Whether the request names this parameter at all (so "not sent" and "sent empty" differ).</summary>
    public bool Has(string name) =>
        (_json is { } j && j.TryGetProperty(name, out _)) || (_form?.ContainsKey(name) ?? false) || _query.ContainsKey(name);

    /// <summary>
    /// Nested records as Rails reads them: a JSON array or object of objects, or form fields <c>name[0][key]</c> /
    /// <c>name[][key]</c> (the n-th value of each key belongs to the n-th record).
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Records(string name)
    {
        static Dictionary<string, string> Fields(JsonElement o) => o.EnumerateObject()
            .Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
        if (_json is { } j && j.TryGetProperty(name, out var v))
        {
            return v.ValueKind switch
            {
                JsonValueKind.Array => v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).Select(Fields).ToList(),
                JsonValueKind.Object => v.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object).Select(p => Fields(p.Value)).ToList(),
                _ => [],
            };
        }
        IEnumerable<KeyValuePair<string, StringValues>> pairs = _form is not null ? _form : _query;
        var indexed = new SortedDictionary<int, Dictionary<string, string>>();
        var positional = new List<Dictionary<string, string>>();
        var prefix = name + "[";
        foreach (var (key, values) in pairs)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || !key.EndsWith(']'))
            {
                continue;
            }
            var parts = key[name.Length..].Split(']', StringSplitOptions.RemoveEmptyEntries).Select(p => p.TrimStart('[')).ToArray();
            if (key[name.Length..].StartsWith("[]", StringComparison.Ordinal) && parts is ["", var field])
            {
                for (var i = 0; i < values.Count; i++)
                {
                    while (positional.Count <= i)
                    {
                        positional.Add([]);
                    }
                    positional[i][field] = values[i] ?? "";
                }
            }
            else if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < 1000)
            {
                if (!indexed.TryGetValue(n, out var record))
                {
                    indexed[n] = record = [];
                }
                record[parts[1]] = values.Count > 0 ? values[0] ?? "" : "";
            }
        }
        return [.. indexed.Values, .. positional];
    }

    public bool? Bool(string name) => String(name)?.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "on" => true,
        "false" or "0" or "off" or "" => false,
        _ => null,
    };
}

/// <summary>
/// Mastodon's rate-limit headers on its API (300 requests in 5 minutes a token or address, as Mastodon's default);
/// enforced when Drawbridge:RateLimits:Enabled is on. The counts are this node's own.
/// </summary>
public sealed class MastodonRateLimits(TimeProvider clock, Microsoft.Extensions.Options.IOptions<DrawbridgeOptions> options)
{
    public const int Limit = 300;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, Counter> _counters = new();
    private long _nextSweep;

    private sealed class Counter(DateTimeOffset resetAt)
    {
        public DateTimeOffset ResetAt = resetAt;
        public int Count;
    }

    public async Task InvokeAsync(HttpContext ctx, Func<Task> next)
    {
        var now = clock.GetUtcNow();
        var key = ctx.Request.Headers.Authorization.ToString() is { Length: > 7 } auth ? auth : ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var counter = _counters.GetOrAdd(key, _ => new Counter(now + Window));
        int count;
        DateTimeOffset resetAt;
        lock (counter)
        {
            if (counter.ResetAt <= now)
            {
                counter.ResetAt = now + Window;
                counter.Count = 0;
            }
            count = ++counter.Count;
            resetAt = counter.ResetAt;
        }
        Sweep(now);
        var h = ctx.Response.Headers;
        h["X-RateLimit-Limit"] = Limit.ToString(CultureInfo.InvariantCulture);
        h["X-RateLimit-Remaining"] = Math.Max(0, Limit - count).ToString(CultureInfo.InvariantCulture);
        h["X-RateLimit-Reset"] = resetAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        if (count > Limit && options.Value.RateLimits.Enabled)
        {
            await MastodonResults.Error(StatusCodes.Status429TooManyRequests, "Too many requests").ExecuteAsync(ctx);
            return;
        }
        await next();
    }

    private void Sweep(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextSweep);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweep, (now + Window).UtcTicks, due) != due)
        {
            return;
        }
        foreach (var (k, c) in _counters)
        {
            if (c.ResetAt <= now)
            {
                _counters.TryRemove(k, out _);
            }
        }
    }
}
