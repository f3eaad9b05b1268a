using System.Globalization;
using CsvHelper;

namespace Drawbridge.Insights;

/// <summary>One comment read from a CSV file, with its labels when the file has them.</summary>
public sealed record FeedbackRow
{
    /// <summary>The 1-based line of the file where the record starts (the header is line 1).</summary>
    public required long Line { get; init; }
    public required string Id { get; init; }
    public required string Text { get; init; }

    /// <summary>Indexes into the framework's themes. Empty when the file has no labels or the comment has none.</summary>
    public IReadOnlyList<int> Themes { get; init; } = [];

    /// <summary>Sentiment on the framework's scale; null when absent or unreadable.</summary>
    public int? Sentiment { get; init; }

    /// <summary>
    /// The comment's context values by column (see <see cref="Framework.ContextColumns"/>): the framework's context
    /// columns, or, while they are still to be chosen from labelled data, every column the framework does not use.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Context { get; init; }
}

/// <summary>A value that could not be used, reported with where it is and what it should have been.</summary>
public sealed record DataIssue(long Line, string Column, string Value, string Problem)
{
    public override string ToString() => $"line {Line}, column '{Column}': {Problem} ('{Value}')";
}

/// <summary>Comments read from a CSV file, with what had to be skipped or ignored.</summary>
public sealed record FeedbackData(IReadOnlyList<FeedbackRow> Rows, int SkippedEmpty, IReadOnlyList<DataIssue> Issues, bool HasLabels)
{
    /// <summary>Context columns the framework (or model) names that the file does not have; their values count as empty.</summary>
    public IReadOnlyList<string> MissingContext { get; init; } = [];

    /// <summary>
    /// The character set the file was read in when it was not UTF-8 ("Windows-1252", as Excel saves CSV on Windows);
    /// null for UTF-8 (with or without a byte-order mark) and for other Unicode files with a byte-order mark.
    /// </summary>
    public string? ReadAs { get; init; }
}

/// <summary>Reads feedback CSV (RFC 4180: quoted fields, embedded newlines, commas in column names) for a framework.</summary>
public static class FeedbackCsv
{
    private static CsvReaderOptions Options(char separator) => new()
    {
        Separator = separator,
        HasHeader = true,
        TrackLineNumbers = true,
        AllowLineBreaksInQuotes = true,
    };

    /// <summary>Reads comments with their theme and sentiment labels; every framework column must be present.</summary>
    public static FeedbackData ReadLabelled(string path, Framework framework) => Read(path, framework, labelled: true);

    /// <summary>Reads comments to classify: only the framework's text column is required (and its id column if it names one).</summary>
    public static FeedbackData ReadUnlabelled(string path, Framework framework) => Read(path, framework, labelled: false);

    /// <summary>
    /// Reads the texts of one column, for emerging topics, and the context columns a model reads (each optional: those
    /// missing are listed in <see cref="FeedbackData.MissingContext"/>).
    /// </summary>
    public static FeedbackData ReadTexts(string path, string textColumn, string? idColumn = null, IReadOnlyList<string>? contextColumns = null)
    {
        var framework = new Framework
        {
            Name = "texts",
            Version = "0",
            TextColumn = textColumn,
            IdColumn = idColumn,
            Themes = [new ThemeDefinition { Id = "none", Column = "none" }],
            ContextColumns = contextColumns,
        };
        return Read(path, framework, labelled: false);
    }

    private static FeedbackData Read(string path, Framework framework, bool labelled)
    {
        if (!File.Exists(path))
        {
            throw new InsightsException($"data file not found: {path}");
        }
        return Read(File.ReadAllBytes(path), framework, labelled, path);
    }

    /// <summary>
    /// Reads an uploaded file's bytes as <see cref="ReadLabelled(string, Framework)"/> reads a file: UTF-8, or
    /// Windows-1252 when the bytes are not UTF-8 (<see cref="FeedbackData.ReadAs"/> says so); a workbook is refused.
    /// </summary>
    public static FeedbackData ReadLabelled(byte[] bytes, Framework framework, string source) => Read(bytes, framework, labelled: true, source);

    private static FeedbackData Read(byte[] bytes, Framework framework, bool labelled, string path)
    {
        ReadOnlySpan<byte> zip = [0x50, 0x4B, 0x03, 0x04];
        ReadOnlySpan<byte> compoundDocument = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        if (bytes.AsSpan().StartsWith(zip) || bytes.AsSpan().StartsWith(compoundDocument))
        {
            throw new InsightsException($"{path} is a spreadsheet workbook (or another binary file), not CSV: in Excel, save it as \"CSV UTF-8 (Comma delimited)\" and use that file");
        }
        var (encoding, readAs) = EncodingOf(bytes);
        using var reader = new StreamReader(new MemoryStream(bytes, writable: false), encoding, detectEncodingFromByteOrderMarks: true);
        var text = reader.ReadToEnd();
        return Read(new StringReader(text), framework, labelled, path, SeparatorOf(text)) with { ReadAs = readAs };
    }

    /// <summary>
    /// The header row's separator: a comma, unless the header has none and has semicolons (Excel's CSV where the comma is
    /// the decimal mark) or tabs (a spreadsheet's "text" export).
    /// </summary>
    internal static char SeparatorOf(string text)
    {
        var quoted = false;
        int semicolons = 0, tabs = 0;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
                continue;
            }
            if (quoted)
            {
                continue;
            }
            if (c is '\n' or '\r')
            {
                break;
            }
            if (c == ',')
            {
                return ',';
            }
            semicolons += c == ';' ? 1 : 0;
            tabs += c == '\t' ? 1 : 0;
        }
        return tabs > semicolons ? '\t' : semicolons > 0 ? ';' : ',';
    }

    /// <summary>
    /// UTF-8 when the bytes are valid UTF-8 or start with a byte-order mark (which the reader then follows); otherwise
    /// Windows-1252, in which Excel on Windows saves "CSV" files: read as UTF-8, their curly apostrophes, pound signs and
    /// accented letters would each become a replacement character, and the words around them other words.
    /// </summary>
    internal static (System.Text.Encoding Encoding, string? ReadAs) EncodingOf(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> utf16Le = [0xFF, 0xFE];
        ReadOnlySpan<byte> utf16Be = [0xFE, 0xFF];
        if (bytes.StartsWith(System.Text.Encoding.UTF8.Preamble) || bytes.StartsWith(utf16Le) || bytes.StartsWith(utf16Be)
            || System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return (System.Text.Encoding.UTF8, null);
        }
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        return (System.Text.Encoding.GetEncoding(1252), "Windows-1252");
    }

    public static FeedbackData Read(TextReader input, Framework framework, bool labelled, string source = "input", char separator = ',')
    {
        using var csv = CsvReader.Create(input, Options(separator), leaveOpen: true);
        IReadOnlyList<string> headers;
        try
        {
            headers = csv.Headers;
        }
        catch (CsvFormatException e)
        {
            throw new InsightsException($"{source}: the header row is not valid CSV: {e.Message}", e);
        }
        if (headers.Count == 0)
        {
            throw new InsightsException($"{source}: the file is empty (no header row)");
        }

        int IndexOf(string name)
        {
            for (var i = 0; i < headers.Count; i++)
            {
                if (string.Equals(headers[i].Trim(), name.Trim(), StringComparison.Ordinal))
                {
                    return i;
                }
            }
            return -1;
        }

        int Column(string name)
        {
            var index = IndexOf(name);
            if (index >= 0)
            {
                return index;
            }
            throw new InsightsException($"{source}: missing column '{name}' (columns are: {string.Join(", ", headers.Select(h => $"'{h}'"))})");
        }

        var textIndex = Column(framework.TextColumn);
        var idIndex = framework.IdColumn is null ? -1 : Column(framework.IdColumn);
        int[] themeColumns = [];
        var labelIndex = -1;
        var sentimentIndex = -1;
        Dictionary<string, int>? themeByValue = null;
        if (labelled)
        {
            if (framework.LabelColumn is { } labelColumn)
            {
                labelIndex = Column(labelColumn);
                themeByValue = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                for (var t = 0; t < framework.Themes.Count; t++)
                {
                    themeByValue[framework.Themes[t].Value!.Trim()] = t;
                }
            }
            else
            {
                themeColumns = framework.Themes.Select(t => Column(t.Column!)).ToArray();
            }
            if (framework.Sentiment is { } scale)
            {
                sentimentIndex = Column(scale.Column);
            }
        }

        // Context: the framework's (or model's) context columns, each optional here (the caller decides whether a
        // missing one is an error); while they are still to be chosen (a framework without the list, labelled data),
        // every column the framework does not use is a candidate.
        var contextColumns = new List<(string Name, int Index)>();
        var missingContext = new List<string>();
        if (framework.ContextColumns is { } named)
        {
            foreach (var name in named)
            {
                var index = IndexOf(name);
                if (index >= 0)
                {
                    contextColumns.Add((name, index));
                }
                else
                {
                    missingContext.Add(name);
                }
            }
        }
        else if (labelled)
        {
            var own = new HashSet<string>(framework.FrameworkColumns.Select(c => c.Trim()), StringComparer.Ordinal);
            for (var i = 0; i < headers.Count; i++)
            {
                var name = headers[i].Trim();
                if (name.Length > 0 && !own.Contains(name) && contextColumns.All(c => c.Name != name))
                {
                    contextColumns.Add((name, i));
                }
            }
        }

        var rows = new List<FeedbackRow>();
        var issues = new List<DataIssue>();
        var skipped = 0;
        var themes = new List<int>();
        try
        {
            while (csv.Read())
            {
                var line = csv.LineNumber;
                var text = csv.GetString(textIndex).Trim();
                if (text.Length == 0)
                {
                    skipped++;
                    continue;
                }
                var id = idIndex >= 0 ? csv.GetString(idIndex).Trim() : csv.RowNumber.ToString(CultureInfo.InvariantCulture);
                themes.Clear();
                int? sentiment = null;
                if (labelled)
                {
                    if (themeByValue is not null)
                    {
                        var value = csv.GetString(labelIndex).Trim();
                        if (themeByValue.TryGetValue(value, out var t))
                        {
                            themes.Add(t);
                        }
                        else
                        {
                            issues.Add(new DataIssue(line, framework.LabelColumn!, value, "not a value of any theme; the comment is kept with no theme"));
                        }
                    }
                    else
                    {
                        for (var t = 0; t < themeColumns.Length; t++)
                        {
                            var value = csv.GetString(themeColumns[t]).Trim();
                            switch (ParseFlag(value))
                            {
                                case true:
                                    themes.Add(t);
                                    break;
                                case null:
                                    issues.Add(new DataIssue(line, framework.Themes[t].Column!, value, "not 0 or 1; read as 0"));
                                    break;
                            }
                        }
                    }
                    if (framework.Sentiment is { } scale)
                    {
                        var value = csv.GetString(sentimentIndex).Trim();
                        if (TryParseInteger(value, out var s) && s >= scale.Min && s <= scale.Max)
                        {
                            sentiment = s;
                        }
                        else
                        {
                            issues.Add(new DataIssue(line, scale.Column, value,
                                value.Length == 0 ? "no sentiment; the comment is left out of sentiment training"
                                                  : $"not a whole number from {scale.Min} to {scale.Max}; the comment is left out of sentiment training"));
                        }
                    }
                }
                Dictionary<string, string>? context = null;
                if (contextColumns.Count > 0)
                {
                    context = new Dictionary<string, string>(contextColumns.Count, StringComparer.Ordinal);
                    foreach (var (name, index) in contextColumns)
                    {
                        var value = csv.GetString(index).Trim();
                        if (value.Length > 0)
                        {
                            context[name] = value;
                        }
                    }
                }
                rows.Add(new FeedbackRow { Line = line, Id = id, Text = text, Themes = themes.ToArray(), Sentiment = sentiment, Context = context });
            }
        }
        catch (CsvFormatException e)
        {
            throw new InsightsException($"{source}: malformed CSV near line {e.LineNumber}: {e.Message}", e);
        }
        return new FeedbackData(rows, skipped, issues, labelled) { MissingContext = missingContext };
    }

    private static bool? ParseFlag(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }
        if (value is "1" or "1.0" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (value is "0" or "0.0" || value.Equals("false", StringComparison.OrdinalIgnoreCase) || value.Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return null;
    }

    private static bool TryParseInteger(string value, out int result)
    {
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result))
        {
            return true;
        }
        // "3.0" from spreadsheets is fine; "2.5" is not a point on an integer scale.
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Round(d) && Math.Abs(d) < 1e6)
        {
            result = (int)d;
            return true;
        }
        return false;
    }
}
