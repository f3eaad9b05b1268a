using System.Text.Json;

namespace Drawbridge.Safety.Tests;

public sealed class SafetyScanTests
{
    private static async Task<(List<JsonElement> Lines, int Errors)> Scan(string input)
    {
        using var reader = new StringReader(input);
        using var writer = new StringWriter();
        var (_, errors) = await SafetyScan.RunAsync(reader, writer);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        return (lines, errors);
    }

    [Fact]
    public async Task Each_input_line_gets_one_output_line_with_its_id_and_findings_in_the_contract_shape()
    {
        var (lines, errors) = await Scan("{\"id\": \"1\", \"text\": \"NHS 943 476 5919\"}\n{\"id\": \"2\", \"text\": \"Nothing here.\"}\n");
        Assert.Equal(0, errors);
        Assert.Equal(2, lines.Count);
        Assert.Equal("1", lines[0].GetProperty("id").GetString());
        var f = Assert.Single(lines[0].GetProperty("findings").EnumerateArray());
        Assert.Equal("nhs-number", f.GetProperty("rule").GetString());
        Assert.Equal(4, f.GetProperty("start").GetInt32());
        Assert.Equal(16, f.GetProperty("end").GetInt32());
        Assert.Equal("block", f.GetProperty("severity").GetString());
        Assert.False(string.IsNullOrEmpty(f.GetProperty("message").GetString()));
        Assert.Equal(0, lines[1].GetProperty("findings").GetArrayLength());
    }

    [Fact]
    public async Task A_malformed_line_gets_an_error_line_naming_the_problem_and_the_scan_goes_on()
    {
        var input = string.Join('\n',
            "{\"id\": \"a\", \"text\": \"call me 07700 900123\"}",
            "this is not json",
            "{\"id\": \"c\"}",
            "{\"id\": \"d\", \"text\": 42}",
            "[1, 2]",
            "{\"id\": \"f\", \"text\": \"jo@example.com\"}");
        var (lines, errors) = await Scan(input);
        Assert.Equal(6, lines.Count);
        Assert.Equal(4, errors);
        Assert.Equal("phone", lines[0].GetProperty("findings")[0].GetProperty("rule").GetString());
        Assert.Contains("line 2", lines[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("not valid JSON", lines[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("c", lines[2].GetProperty("id").GetString());
        Assert.Contains("missing \"text\"", lines[2].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"text\" must be a string", lines[3].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("expected a JSON object", lines[4].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("email", lines[5].GetProperty("findings")[0].GetProperty("rule").GetString());
    }

    [Fact]
    public async Task A_numeric_id_is_echoed_as_given_and_images_ask_for_consent()
    {
        var (lines, _) = await Scan("{\"id\": 7, \"text\": \"Our garden\", \"hasImages\": true}");
        Assert.Equal(7, lines[0].GetProperty("id").GetInt32());
        Assert.Equal("image-consent", lines[0].GetProperty("findings")[0].GetProperty("rule").GetString());
        Assert.Equal("nudge", lines[0].GetProperty("findings")[0].GetProperty("severity").GetString());
    }

    [Fact]
    public async Task Offsets_in_the_output_are_utf16_indices_into_the_decoded_text()
    {
        // "é" and an emoji before the number: 1 + 2 code units, so the number starts at 8 (not at its UTF-8 byte offset).
        var (lines, _) = await Scan("{\"id\": \"u\", \"text\": \"caf\\u00e9 \\ud83c\\udf89 943 476 5919\"}");
        var f = lines[0].GetProperty("findings")[0];
        Assert.Equal(8, f.GetProperty("start").GetInt32());
        Assert.Equal(20, f.GetProperty("end").GetInt32());
    }
}
