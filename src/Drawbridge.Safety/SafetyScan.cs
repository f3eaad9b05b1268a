using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Drawbridge.Safety;

/// <summary>
/// The batch form of the check: JSON Lines in (<c>{"id": "...", "text": "...", "hasImages": false}</c>),
/// one JSON line out per input line (<c>{"id": "...", "findings": [...]}</c>). A line that cannot be read
/// gets an output line with an <c>error</c> field naming the problem, and the scan goes on.
/// </summary>
public static class SafetyScan
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Scans every line of <paramref name="input"/> and writes the results to <paramref name="output"/>.</summary>
    /// <returns>How many lines were read and how many of them had an error.</returns>
    public static async Task<(int Lines, int Errors)> RunAsync(TextReader input, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new ArrayBufferWriter<byte>(4096);
        var lineNumber = 0;
        var lines = 0;
        var errors = 0;
        while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (lineNumber == 1 && line.StartsWith('\uFEFF'))
            {
                // A byte order mark that the reader did not strip.
                line = line[1..];
            }
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            lines++;
            buffer.ResetWrittenCount();
            if (!ScanLine(line, lineNumber, buffer))
            {
                errors++;
            }
            await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan).AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return (lines, errors);
    }

    /// <summary>Scans one JSON line and writes its output object into <paramref name="buffer"/>; false when the line had an error.</summary>
    internal static bool ScanLine(string line, int lineNumber, IBufferWriter<byte> buffer)
    {
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            WriteError(writer, null, $"line {lineNumber}: not valid JSON ({ex.Message})");
            return false;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                WriteError(writer, null, $"line {lineNumber}: expected a JSON object with \"id\" and \"text\", got {Describe(root.ValueKind)}");
                return false;
            }
            JsonElement? id = root.TryGetProperty("id", out var idElement) ? idElement : null;
            if (id is { ValueKind: not (JsonValueKind.String or JsonValueKind.Number) })
            {
                WriteError(writer, null, $"line {lineNumber}: \"id\" must be a string or a number, got {Describe(id.Value.ValueKind)}");
                return false;
            }
            if (!root.TryGetProperty("text", out var textElement))
            {
                WriteError(writer, id, $"line {lineNumber}: missing \"text\" (the post to check, a string)");
                return false;
            }
            if (textElement.ValueKind != JsonValueKind.String)
            {
                WriteError(writer, id, $"line {lineNumber}: \"text\" must be a string, got {Describe(textElement.ValueKind)}");
                return false;
            }
            var hasImages = false;
            if (root.TryGetProperty("hasImages", out var imagesFlag))
            {
                if (imagesFlag.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    WriteError(writer, id, $"line {lineNumber}: \"hasImages\" must be true or false, got {Describe(imagesFlag.ValueKind)}");
                    return false;
                }
                hasImages = imagesFlag.GetBoolean();
            }
            if (root.TryGetProperty("images", out var images))
            {
                hasImages |= images.ValueKind switch
                {
                    JsonValueKind.Array => images.GetArrayLength() > 0,
                    JsonValueKind.Number => images.TryGetInt32(out var n) && n > 0,
                    JsonValueKind.True => true,
                    _ => false,
                };
            }
            var text = textElement.GetString()!;
            IReadOnlyList<SafetyFinding> findings;
            try
            {
                findings = SafetyChecker.Check(text, new SafetyContext { HasImages = hasImages });
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IndexOutOfRangeException or FormatException)
            {
                // A defect in one rule must not stop a batch: report it against this line and go on.
                WriteError(writer, id, $"line {lineNumber}: the check failed on this text ({ex.GetType().Name}: {ex.Message})");
                return false;
            }
            writer.WriteStartObject();
            WriteId(writer, id);
            writer.WriteStartArray("findings");
            foreach (var f in findings)
            {
                writer.WriteStartObject();
                writer.WriteString("rule", f.Rule);
                writer.WriteNumber("start", f.Start);
                writer.WriteNumber("end", f.End);
                writer.WriteString("severity", SeverityName(f.Severity));
                writer.WriteString("message", f.Message);
                writer.WriteString("suggestion", f.Suggestion);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            return true;
        }
    }

    /// <summary>The severity as the CLI and the JSON API spell it.</summary>
    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Block => "block",
        Severity.Warn => "warn",
        _ => "nudge",
    };

    private static void WriteId(Utf8JsonWriter writer, JsonElement? id)
    {
        writer.WritePropertyName("id");
        if (id is { } value)
        {
            value.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static void WriteError(Utf8JsonWriter writer, JsonElement? id, string message)
    {
        writer.WriteStartObject();
        WriteId(writer, id);
        writer.WriteString("error", message);
        writer.WriteEndObject();
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
