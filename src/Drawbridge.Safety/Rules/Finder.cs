namespace Drawbridge.Safety.Rules;

/// <summary>What a rule reads (the text, its tokens, the context) and where it puts its findings.</summary>
internal sealed class Scan
{
    public Scan(TokenizedText tokens, SafetyContext context, List<SafetyFinding> findings)
    {
        Tokens = tokens;
        Context = context;
        Findings = findings;
    }

    public string Text => Tokens.Text;

    public TokenizedText Tokens { get; }

    public SafetyContext Context { get; }

    public List<SafetyFinding> Findings { get; }

    public void Add(string rule, int start, int end, Severity severity, string message, string suggestion) =>
        Findings.Add(new SafetyFinding(rule, start, end, severity, message, suggestion));

    /// <summary>True when <paramref name="word"/> (lower case, ASCII) occurs as a whole word within the window before <paramref name="offset"/>.</summary>
    public bool WordBefore(int offset, int window, string word)
    {
        var from = Math.Max(0, offset - window);
        var span = Text.AsSpan(from, offset - from);
        var idx = span.LastIndexOf(word, StringComparison.OrdinalIgnoreCase);
        while (idx >= 0)
        {
            var before = idx == 0 ? ' ' : span[idx - 1];
            var afterPos = idx + word.Length;
            var after = afterPos < span.Length ? span[afterPos] : ' ';
            if (!char.IsLetterOrDigit(before) && !char.IsLetterOrDigit(after))
            {
                return true;
            }
            if (idx == 0)
            {
                break;
            }
            idx = span[..idx].LastIndexOf(word, StringComparison.OrdinalIgnoreCase);
        }
        return false;
    }
}
