using System.Text.Json;
using System.Text.RegularExpressions;

namespace Drawbridge.Tests.Mastodon;

/// <summary>
/// Checks a response against a component of the community OpenAPI description of Mastodon's API (OpenApi/schema.json):
/// types (with null where allowed), required keys, enums, $ref, oneOf/anyOf, arrays and date-time formats.
/// </summary>
public static partial class MastodonSchema
{
    private static readonly Lazy<JsonElement> Components = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Mastodon", "OpenApi", "schema.json")));
        return doc.RootElement.GetProperty("components").GetProperty("schemas").Clone();
    });

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?(Z|[+-]\d\d:\d\d)$")]
    private static partial Regex DateTime();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d$")]
    private static partial Regex Date();

    /// <summary>Fails with every place the value breaks the named component (e.g. "Status").</summary>
    public static void AssertValid(JsonElement value, string component)
    {
        var problems = new List<string>();
        Check(value, Components.Value.GetProperty(component), "$", problems, 0);
        Assert.True(problems.Count == 0, $"Not a valid {component}:\n" + string.Join("\n", problems.Take(20)));
    }

    public static void AssertEachValid(JsonElement array, string component)
    {
        Assert.Equal(JsonValueKind.Array, array.ValueKind);
        foreach (var item in array.EnumerateArray())
        {
            AssertValid(item, component);
        }
    }

    private static void Check(JsonElement value, JsonElement schema, string path, List<string> problems, int depth)
    {
        if (depth > 12)
        {
            return;
        }
        if (schema.TryGetProperty("$ref", out var r))
        {
            var name = r.GetString()!.Split('/')[^1];
            Check(value, Components.Value.GetProperty(name), path, problems, depth + 1);
            return;
        }
        foreach (var combinator in new[] { "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(combinator, out var options))
            {
                var fits = options.EnumerateArray().Any(o =>
                {
                    var inner = new List<string>();
                    Check(value, o, path, inner, depth + 1);
                    return inner.Count == 0;
                });
                if (!fits)
                {
                    problems.Add($"{path}: matches none of the {combinator} options ({Short(value)})");
                }
                return;
            }
        }
        if (schema.TryGetProperty("allOf", out var all))
        {
            foreach (var part in all.EnumerateArray())
            {
                Check(value, part, path, problems, depth + 1);
            }
        }
        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            var actual = value.ValueKind switch
            {
                JsonValueKind.Null => "null",
                JsonValueKind.String => "string",
                JsonValueKind.True or JsonValueKind.False => "boolean",
                JsonValueKind.Array => "array",
                JsonValueKind.Object => "object",
                JsonValueKind.Number => value.TryGetInt64(out _) ? "integer" : "number",
                _ => "undefined",
            };
            if (!types.Contains(actual) && !(actual == "integer" && types.Contains("number")))
            {
                problems.Add($"{path}: is {actual}, expected {string.Join(" or ", types)} ({Short(value)})");
                return;
            }
        }
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }
        if (schema.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => v.ToString() == value.ToString()))
        {
            problems.Add($"{path}: '{value}' is not one of {values}");
        }
        if (value.ValueKind == JsonValueKind.String && schema.TryGetProperty("format", out var format))
        {
            var s = value.GetString()!;
            if ((format.GetString() == "date-time" && !DateTime().IsMatch(s)) || (format.GetString() == "date" && !Date().IsMatch(s)))
            {
                problems.Add($"{path}: '{s}' is not a {format.GetString()}");
            }
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var key in required.EnumerateArray().Select(k => k.GetString()!))
                {
                    if (!value.TryGetProperty(key, out _))
                    {
                        problems.Add($"{path}: lacks required '{key}'");
                    }
                }
            }
            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var p in properties.EnumerateObject())
                {
                    if (value.TryGetProperty(p.Name, out var child))
                    {
                        Check(child, p.Value, $"{path}.{p.Name}", problems, depth + 1);
                    }
                }
            }
        }
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(item, items, $"{path}[{i++}]", problems, depth + 1);
            }
        }
    }

    private static string Short(JsonElement e)
    {
        var text = e.GetRawText();
        return text.Length > 80 ? text[..80] + "…" : text;
    }
}
