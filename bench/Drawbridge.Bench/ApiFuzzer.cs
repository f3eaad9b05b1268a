using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drawbridge.Bench;

/// <summary>
/// Sends generated requests to a running server and counts its answers: every operation of the JSON API as its OpenAPI
/// document describes it (so paths are discovered, never hard-coded), with mutated JSON bodies, path values, query
/// strings and headers; Markdown articles with hostile constructs, published and then read as pages, JSON and feeds;
/// and guest comments through the article's form. A 5xx, or a request the server drops, is a failure: each is written
/// to a file with what was sent. Exit 0 when there were none.
/// </summary>
public static class ApiFuzzer
{
    private sealed record Operation(string Method, string Path, string[] Query, JsonElement? Body);

    private sealed record Seeds(string Api, string[] Tokens, string[] Handles, string[] AccountIds, ConcurrentBag<string> PostIds, ConcurrentBag<string> ArticlePaths);

    public static async Task<int> RunAsync(Options options, TextWriter output)
    {
        var url = new Uri(options.Text("url"));
        var total = options.Number("requests", 100_000, 1, 100_000_000);
        var seed = options.Number("seed", 1, 0, int.MaxValue);
        var workers = options.Number("concurrency", 16, 1, 256);
        var failuresPath = options.Text("failures");
        options.RejectUnknown();

        using var http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            MaxConnectionsPerServer = workers,
            // Hostile header values (emoji, right-to-left marks) go out as UTF-8 bytes, as a hand-made client sends them,
            // instead of being refused by the client before the server sees them.
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        })
        {
            BaseAddress = url,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement;
        var operations = Discover(document);
        var api = operations.Single(o => o.Method == "POST" && o.Path.EndsWith("/auth/tokens", StringComparison.Ordinal)).Path[..^"/auth/tokens".Length];
        // Deleting the account the fuzzer signs in with would end the run's signed-in coverage.
        operations = operations.Where(o => !(o.Method == "DELETE" && o.Path == api + "/me")).ToList();
        output.WriteLine($"fuzz: {operations.Count} operations from {url}openapi/v1.json (API at {api}); {total:N0} requests, seed {seed}, {workers} at a time");

        var seeds = await SeedAsync(http, api, seed);
        var statuses = new ConcurrentDictionary<string, int>();
        var kinds = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentQueue<string>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(seed * 7919 + w);
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                var (kind, request) = Generate(random, operations, seeds);
                kinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
                var described = await DescribeAsync(request);
                string status;
                try
                {
                    // A large body is offered first, as curl and browsers' upload code do: a server that refuses it
                    // (413) answers before the body is sent instead of closing the connection under the client.
                    if (request.Content?.Headers.ContentLength > 64 * 1024)
                    {
                        request.Headers.ExpectContinue = true;
                    }
                    using var response = await http.SendAsync(request);
                    status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                    if ((int)response.StatusCode >= 500)
                    {
                        var body = await response.Content.ReadAsStringAsync();
                        failures.Enqueue($"{described}\n<<< {status}\n{Cut(body, 2000)}\n");
                    }
                    else if (kind == "article" && response.StatusCode == HttpStatusCode.Created)
                    {
                        var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                        if (created.TryGetProperty("id", out var id) && id.GetString() is { } postId)
                        {
                            seeds.ArticlePaths.Add($"/@{seeds.Handles[0]}/{postId}");
                            seeds.PostIds.Add(postId);
                        }
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    status = "dropped";
                    failures.Enqueue($"{described}\n<<< dropped: {e.GetType().Name}: {e.Message}\n");
                }
                finally
                {
                    request.Dispose();
                }
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if ((i + 1) % 1000 == 0)
                {
                    output.WriteLine($"fuzz: {i + 1:N0} sent in {clock.Elapsed.TotalSeconds:F0} s; " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value:N0}")));
                    // Written as the run goes, so a run cut short still says what failed.
                    lock (failures)
                    {
                        File.WriteAllText(failuresPath, string.Join("\n", failures), new UTF8Encoding(false));
                    }
                }
            }
        }))).ConfigureAwait(false);

        var serverErrors = statuses.Where(s => s.Key.StartsWith('5') || s.Key == "dropped").Sum(s => s.Value);
        await File.WriteAllTextAsync(failuresPath, string.Join("\n", failures), new UTF8Encoding(false));
        output.WriteLine($"fuzz: {total:N0} requests in {clock.Elapsed.TotalSeconds:F0} s");
        output.WriteLine("fuzz: by kind: " + string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value:N0}")));
        output.WriteLine("fuzz: by status: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value:N0}")));
        output.WriteLine($"fuzz_requests {total}");
        output.WriteLine($"fuzz_server_errors {serverErrors}");
        if (serverErrors > 0)
        {
            output.WriteLine($"fuzz: what was sent for each server error: {failuresPath}");
        }
        return serverErrors == 0 ? 0 : 1;
    }

    private static List<Operation> Discover(JsonElement document)
    {
        var operations = new List<Operation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject())
            {
                if (method.Name is not ("get" or "post" or "put" or "patch" or "delete"))
                {
                    continue;
                }
                var query = method.Value.TryGetProperty("parameters", out var parameters)
                    ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).ToArray()
                    : [];
                JsonElement? body = null;
                if (method.Value.TryGetProperty("requestBody", out var requestBody) && requestBody.TryGetProperty("content", out var content)
                    && content.TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out var schema))
                {
                    body = Resolve(document, schema);
                }
                operations.Add(new Operation(method.Name.ToUpperInvariant(), path.Name, query, body));
            }
        }
        // Each schema is resolved once, against the whole document, and kept with its operation.
        return operations.Select(o => o with { Body = o.Body is { } b ? Inline(document, b, 0) : null }).ToList();
    }

    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference) && reference.GetString() is { } r && r.StartsWith("#/components/schemas/", StringComparison.Ordinal))
        {
            return document.GetProperty("components").GetProperty("schemas").GetProperty(r["#/components/schemas/".Length..]);
        }
        return schema;
    }

    private static JsonElement Inline(JsonElement document, JsonElement schema, int depth)
    {
        var resolved = Resolve(document, schema);
        if (depth > 4 || !resolved.TryGetProperty("properties", out var properties))
        {
            return resolved.Clone();
        }
        var copy = new JsonObject { ["type"] = "object" };
        var props = new JsonObject();
        foreach (var p in properties.EnumerateObject())
        {
            props[p.Name] = JsonNode.Parse(Inline(document, p.Value, depth + 1).GetRawText());
        }
        copy["properties"] = props;
        return JsonDocument.Parse(copy.ToJsonString()).RootElement.Clone();
    }

    private static async Task<Seeds> SeedAsync(HttpClient http, string api, int seed)
    {
        var tokens = new List<string>();
        var handles = new List<string>();
        var ids = new List<string>();
        for (var k = 0; k < 3; k++)
        {
            var handle = $"fuzz{seed}_{k}";
            var email = $"{handle}@example.org";
            var signUp = await http.PostAsync(api + "/accounts", Json(new { handle, displayName = $"Fuzz {k}", email, password = "fuzz bench password", kind = "professional", profession = "Staff nurse" }));
            var account = JsonDocument.Parse(await signUp.Content.ReadAsStringAsync()).RootElement;
            if (!signUp.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"sign-up answered {(int)signUp.StatusCode}: {account} (run the server with --Drawbridge:RequireConfirmedEmail=false)");
            }
            var token = await http.PostAsync(api + "/auth/tokens", Json(new { email, password = "fuzz bench password" }));
            tokens.Add(JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!);
            handles.Add(handle);
            ids.Add(account.GetProperty("id").GetString()!);
        }
        var posts = new ConcurrentBag<string>();
        var articles = new ConcurrentBag<string>();
        using (var note = new HttpRequestMessage(HttpMethod.Post, api + "/posts") { Content = Json(new { text = "Fuzzing starts here #fuzz" }) })
        {
            note.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[0]);
            var created = await http.SendAsync(note);
            posts.Add(JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
        }
        using (var article = new HttpRequestMessage(HttpMethod.Post, api + "/posts") { Content = Json(new { kind = "article", title = "Fuzzed", text = "An *article*." }) })
        {
            article.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[0]);
            var created = await http.SendAsync(article);
            var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            posts.Add(id);
            articles.Add($"/@{handles[0]}/{id}");
        }
        return new Seeds(api, [.. tokens], [.. handles], [.. ids], posts, articles);
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static (string Kind, HttpRequestMessage Request) Generate(Random random, List<Operation> operations, Seeds seeds)
    {
        var roll = random.Next(100);
        if (roll < 12)
        {
            return ("article", Article(random, seeds));
        }
        if (roll < 22)
        {
            return ("page", Page(random, seeds));
        }
        if (roll < 27)
        {
            return ("comment-form", CommentForm(random, seeds));
        }
        return ("api", Api(random, operations[random.Next(operations.Count)], seeds));
    }

    private static HttpRequestMessage Api(Random random, Operation operation, Seeds seeds)
    {
        var path = System.Text.RegularExpressions.Regex.Replace(operation.Path, @"\{([^}:]+)(:[^}]*)?\}", m => PathValue(random, m.Groups[1].Value, seeds));
        var query = new List<string>();
        foreach (var name in operation.Query)
        {
            if (random.Next(3) > 0)
            {
                query.Add($"{name}={Uri.EscapeDataString(Scalar(random))}");
            }
        }
        if (random.Next(5) == 0)
        {
            query.Add($"{Uri.EscapeDataString(Text(random, 20))}={Uri.EscapeDataString(Scalar(random))}");
        }
        var request = new HttpRequestMessage(new HttpMethod(random.Next(40) == 0 ? Pick(random, "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD") : operation.Method),
            path + (query.Count > 0 ? "?" + string.Join('&', query) : ""));
        if (operation.Body is { } schema || random.Next(10) == 0)
        {
            request.Content = Body(random, operation.Body);
        }
        Headers(random, request, seeds);
        return request;
    }

    private static HttpRequestMessage Article(Random random, Seeds seeds)
    {
        var title = random.Next(4) == 0 ? Text(random, 400) : "Notes " + random.Next(1000);
        var request = new HttpRequestMessage(HttpMethod.Post, seeds.Api + "/posts")
        {
            Content = Json(new { kind = "article", title, summary = random.Next(2) == 0 ? null : Text(random, 300), text = Markdown.Generate(random) }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", seeds.Tokens[0]);
        return request;
    }

    private static HttpRequestMessage Page(Random random, Seeds seeds)
    {
        var articles = seeds.ArticlePaths.ToArray();
        var article = articles[random.Next(articles.Length)];
        var id = article[(article.LastIndexOf('/') + 1)..];
        var handle = seeds.Handles[0];
        var path = random.Next(9) switch
        {
            0 or 1 or 2 => article,
            3 => $"{seeds.Api}/posts/{id}",
            4 => $"{seeds.Api}/posts/{id}/thread",
            5 => $"/@{handle}/articles.rss",
            6 => $"/@{handle}.atom",
            7 => $"/@{handle}?max_id={Uri.EscapeDataString(Scalar(random))}&tab={Uri.EscapeDataString(Text(random, 10))}",
            _ => $"/tags/{Uri.EscapeDataString(Text(random, 30))}?min_id={Uri.EscapeDataString(Scalar(random))}",
        };
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        Headers(random, request, seeds);
        return request;
    }

    private static HttpRequestMessage CommentForm(Random random, Seeds seeds)
    {
        var articles = seeds.ArticlePaths.ToArray();
        var fields = new List<KeyValuePair<string, string>>
        {
            new("name", Text(random, 120)), new("email", random.Next(2) == 0 ? "guest@example.org" : Text(random, 80)),
            new("commentText", random.Next(2) == 0 ? Markdown.Generate(random) : Text(random, 3000)),
        };
        if (random.Next(4) == 0)
        {
            fields.Add(new("website", Text(random, 40)));
        }
        var request = new HttpRequestMessage(HttpMethod.Post, articles[random.Next(articles.Length)] + "/comment") { Content = new FormUrlEncodedContent(fields) };
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", Pick(random, "same-origin", "cross-site", "none", "same-site", Text(random, 10)));
        if (random.Next(2) == 0)
        {
            request.Headers.TryAddWithoutValidation("Origin", Pick(random, "http://127.0.0.1", "null", "https://attacker.example", Text(random, 30)));
        }
        return request;
    }

    private static void Headers(Random random, HttpRequestMessage request, Seeds seeds)
    {
        switch (random.Next(6))
        {
            case 0: break;
            case 1: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Text(random, 60)); break;
            case 2: request.Headers.TryAddWithoutValidation("Authorization", Pick(random, "Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "bearer " + seeds.Tokens[1], Text(random, 40))); break;
            default: request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", seeds.Tokens[random.Next(seeds.Tokens.Length)]); break;
        }
        if (random.Next(4) == 0)
        {
            request.Headers.TryAddWithoutValidation(Pick(random, "Accept", "Accept-Language", "If-None-Match", "If-Modified-Since", "X-Forwarded-For", "Range", "Cookie", "Origin", "Accept-Encoding"),
                Text(random, 60).Replace('\r', ' ').Replace('\n', ' '));
        }
        if (request.Content is not null && random.Next(8) == 0)
        {
            request.Content.Headers.Remove("Content-Type");
            request.Content.Headers.TryAddWithoutValidation("Content-Type", Pick(random, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "multipart/form-data", "application/json; charset=utf-16", Text(random, 20)));
        }
    }

    private static HttpContent Body(Random random, JsonElement? schema)
    {
        string text;
        switch (random.Next(20))
        {
            case 0: text = ""; break;
            case 1: text = Pick(random, "null", "[]", "0", "\"x\"", "true", "{", "{\"a\":", "{\"text\":\"\\ud800\"}", "\uFEFF{}", "{}{}"); break;
            case 2: text = new string('[', 3000) + new string(']', 3000); break;
            case 3: text = string.Concat(Enumerable.Repeat("{\"a\":", 300)) + "1" + new string('}', 300); break;
            default:
                var value = schema is { } s ? Value(random, s, 0) : new JsonObject { [Text(random, 10)] = Text(random, 30) };
                text = value?.ToJsonString() ?? "null";
                if (random.Next(15) == 0)
                {
                    text = text[..random.Next(text.Length + 1)];
                }
                break;
        }
        return new StringContent(text, Encoding.UTF8, "application/json");
    }

    /// <summary>A value for a schema: usually of its type, sometimes of another, sometimes missing or null.</summary>
    private static JsonNode? Value(Random random, JsonElement schema, int depth)
    {
        if (random.Next(12) == 0)
        {
            return Wrong(random, depth);
        }
        var type = schema.TryGetProperty("type", out var t)
            ? t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()).FirstOrDefault(x => x != "null") : t.GetString()
            : null;
        if (schema.TryGetProperty("properties", out var properties))
        {
            var o = new JsonObject();
            foreach (var p in properties.EnumerateObject())
            {
                if (random.Next(5) > 0)
                {
                    o[p.Name] = Value(random, p.Value, depth + 1);
                }
            }
            if (random.Next(10) == 0)
            {
                o[Text(random, 12)] = Wrong(random, depth + 1);
            }
            return o;
        }
        return type switch
        {
            "integer" or "number" => random.Next(4) == 0 ? JsonValue.Create(Scalar(random)) : JsonValue.Create(Pick(random, 0L, -1L, 1L, long.MaxValue, long.MinValue, random.NextInt64())),
            "boolean" => JsonValue.Create(random.Next(2) == 0),
            "array" => new JsonArray(Enumerable.Range(0, random.Next(6)).Select(_ => (JsonNode?)JsonValue.Create(Scalar(random))).ToArray()),
            _ => JsonValue.Create(random.Next(6) == 0 ? Markdown.Generate(random) : Text(random, 200)),
        };
    }

    private static JsonNode? Wrong(Random random, int depth) => random.Next(6) switch
    {
        0 => null,
        1 => JsonValue.Create(random.NextDouble() * 1e300),
        2 => new JsonArray(JsonValue.Create(Text(random, 10)), null),
        3 when depth < 3 => new JsonObject { ["x"] = Wrong(random, depth + 1) },
        4 => JsonValue.Create(random.Next(2) == 0),
        _ => JsonValue.Create(Scalar(random)),
    };

    private static string PathValue(Random random, string name, Seeds seeds)
    {
        if (random.Next(3) == 0)
        {
            return Uri.EscapeDataString(Scalar(random));
        }
        var posts = seeds.PostIds.ToArray();
        return name switch
        {
            "handle" => random.Next(4) == 0 ? Uri.EscapeDataString(Text(random, 40)) : seeds.Handles[random.Next(seeds.Handles.Length)],
            "tag" => Uri.EscapeDataString(Text(random, 40)),
            _ => random.Next(2) == 0 ? posts[random.Next(posts.Length)] : seeds.AccountIds[random.Next(seeds.AccountIds.Length)],
        };
    }

    private static string Scalar(Random random) => random.Next(14) switch
    {
        0 => "",
        1 => "-1",
        2 => "0",
        3 => "9223372036854775807",
        4 => "9223372036854775808",
        5 => "99999999999999999999999999999",
        6 => "1e309",
        7 => "NaN",
        8 => "0x7f",
        9 => " 12 ",
        10 => "../../etc/passwd",
        11 => "%00",
        12 => random.NextInt64().ToString(CultureInfo.InvariantCulture),
        _ => Text(random, 20),
    };

    private static readonly string[] Pieces =
    [
        "a", "Nurse", " ", "\t", "\n", "\r\n", "\0", "\u0007", "\u202E", "\u200B", "\uFEFF", "é", "e\u0301", "😀", "👩🏽‍⚕️", "\uD83D", "\uDE00",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "'; DROP TABLE posts; --", "\" OR 1=1 --",
        "{{7*7}}", "${jndi:ldap://x}", "%s%n", "@", "#", "#tag", "@someone", "@fuzz1_0", "http://", "https://example.org/a?b=c&d", "\\", "/", "..",
        "NHS number 943 476 5919", "07700 900123", "SW1A 1AA", "ﷺ", "\u0000\u0000", "𝕳𝖊𝖑𝖑𝖔", "ا", "中文", "\u00A0", "&amp;", "&#0;", "]]>", "<!--",
    ];

    internal static string Text(Random random, int maxLength)
    {
        if (random.Next(30) == 0)
        {
            return new string(Pick(random, 'a', ' ', '#', '@', '<', '*', '\n'), random.Next(maxLength * 50 + 1));
        }
        var b = new StringBuilder();
        var length = random.Next(maxLength + 1);
        while (b.Length < length)
        {
            b.Append(Pieces[random.Next(Pieces.Length)]);
        }
        return b.ToString();
    }

    internal static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];

    private static async Task<string> DescribeAsync(HttpRequestMessage request)
    {
        var b = new StringBuilder($">>> {request.Method} {request.RequestUri}\n");
        foreach (var h in request.Headers)
        {
            b.Append(h.Key).Append(": ").Append(string.Join(", ", h.Value)).Append('\n');
        }
        if (request.Content is { } content)
        {
            // Buffered so it can be read here and sent after.
            await content.LoadIntoBufferAsync();
            b.Append(Cut(await content.ReadAsStringAsync(), 4000));
        }
        return b.ToString();
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length] + $"… ({text.Length:N0} characters)";
}

/// <summary>Markdown articles built from constructs that have broken renderers: deep nesting, pathological emphasis, raw HTML, huge tables.</summary>
internal static class Markdown
{
    private static readonly string[] Blocks =
    [
        "# Heading", "####### seven", "Setext\n===", "> quote", "- item", "1. item", "99999999999. big number", "```\ncode", "```js\nlet a = 1;\n```", "~~~\nfence",
        "    indented code", "| a | b |\n|---|---|\n| 1 | 2 |", "<div onclick=\"x()\">html</div>", "<script>alert(1)</script>", "<iframe src=\"javascript:alert(1)\"></iframe>",
        "[link](javascript:alert(1))", "[x](<a b>)", "![img](data:image/svg+xml;base64,PHN2Zz4=)", "<https://example.org>", "<javascript:alert(1)>", "[ref]: https://example.org \"t\"",
        "[ref]", "***bold italic***", "**unclosed", "_a_b_c_", "`code`", "``` `` ```", "\\", "&#x0;", "&nbsp;", "- [ ] task", "[^1]\n\n[^1]: note", "---", "***", "<!-- comment",
        "$$math$$", ":smile:", "#hashtag #another", "@fuzz1_0 mention", "term\n: definition", "*[HTML]: abbr", "{.class #id}", "<details><summary>s</summary>x</details>",
    ];

    public static string Generate(Random random)
    {
        var b = new StringBuilder();
        switch (random.Next(10))
        {
            case 0:
                // Deep nesting of one construct.
                var depth = random.Next(50, 3000);
                var open = ApiFuzzer.Pick(random, ">", "- ", "* ", "1. ", "[", "*", "_", "**", "<div>", "![", "`");
                for (var d = 0; d < depth; d++)
                {
                    b.Append(open);
                    if (open.EndsWith(' ') || open == ">")
                    {
                        b.Append('\n').Append(new string(' ', Math.Min(d * 2, 400)));
                    }
                }
                b.Append("deep");
                break;
            case 1:
                // A wide table.
                var columns = random.Next(1, 400);
                b.Append('|').Append(string.Concat(Enumerable.Repeat(" h |", columns))).Append("\n|").Append(string.Concat(Enumerable.Repeat("---|", columns))).Append('\n');
                for (var r = 0; r < random.Next(1, 200); r++)
                {
                    b.Append('|').Append(string.Concat(Enumerable.Repeat(" *c* |", columns))).Append('\n');
                }
                break;
            case 2:
                // Emphasis delimiters that make naive parsers quadratic.
                b.Append(string.Concat(Enumerable.Repeat(ApiFuzzer.Pick(random, "*a", "**a", "_a", "[a", "a]", "`a", "<a", "a*_"), random.Next(100, 8000))));
                break;
            default:
                for (var k = random.Next(1, 40); k > 0; k--)
                {
                    b.Append(Blocks[random.Next(Blocks.Length)]);
                    b.Append(random.Next(3) == 0 ? " " + ApiFuzzer.Text(random, 40) : "");
                    b.Append(ApiFuzzer.Pick(random, "\n", "\n\n", " ", "\r\n", ""));
                }
                break;
        }
        return b.ToString();
    }
}
