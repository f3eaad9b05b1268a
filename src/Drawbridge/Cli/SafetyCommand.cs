using Drawbridge.Safety;

namespace Drawbridge.Cli;

/// <summary>The <c>safety</c> CLI verbs: <c>safety scan</c> reads JSON Lines posts and writes their findings.</summary>
internal static class SafetyCommand
{
    private const string Usage = """
        usage: drawbridge safety scan < posts.jsonl > findings.jsonl
          reads one JSON object a line: {"id": "...", "text": "...", "hasImages": false}
          writes one line per input:    {"id": "...", "findings": [{"rule", "start", "end", "severity", "message", "suggestion"}]}
        """;

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        if (args.Length == 0)
        {
            await error.WriteLineAsync("safety: missing verb; expected 'scan'");
            await error.WriteLineAsync(Usage);
            return 2;
        }
        if (args[0] is "-h" or "--help" or "help")
        {
            await output.WriteLineAsync(Usage);
            return 0;
        }
        if (args[0] != "scan")
        {
            await error.WriteLineAsync($"safety: unknown verb '{args[0]}'; expected 'scan'");
            await error.WriteLineAsync(Usage);
            return 2;
        }
        if (args.Length > 1)
        {
            if (args[1] is "-h" or "--help")
            {
                await output.WriteLineAsync(Usage);
                return 0;
            }
            await error.WriteLineAsync($"safety scan: unexpected argument '{args[1]}'; the posts come on standard input");
            return 2;
        }
        var (lines, errors) = await SafetyScan.RunAsync(input, output);
        if (errors > 0)
        {
            await error.WriteLineAsync($"safety scan: {errors} of {lines} lines could not be read; see their \"error\" fields");
        }
        return 0;
    }
}
