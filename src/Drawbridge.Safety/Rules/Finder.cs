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

    /// <summary>
    /// Runs a regex anchored with \G at each candidate token only. Rules whose matches always begin with
    /// a telling word stay linear and fast this way, instead of trying the pattern at every position.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public List<System.Text.RegularExpressions.Match> MatchesAt(System.Text.RegularExpressions.Regex anchored, Func<TokenizedText, Token, bool> isCandidate)
    {
        var matches = new List<System.Text.RegularExpressions.Match>();
        var lastEnd = -1;
        var tokens = Tokens.Tokens;
        for (var k = 0; k < tokens.Length; k++)
        {
            if (tokens[k].Start < lastEnd || !isCandidate(Tokens, tokens[k]))
            {
                continue;
            }
            var m = anchored.Match(Text, tokens[k].Start);
            if (m.Success)
            {
                lastEnd = m.Index + Math.Max(1, m.Length);
                matches.Add(m);
            }
        }
        return matches;
    }

    /// <summary>As above, with the candidate test given the scan and the token index.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public List<System.Text.RegularExpressions.Match> MatchesAt(System.Text.RegularExpressions.Regex anchored, Func<Scan, int, bool> isCandidate)
    {
        var matches = new List<System.Text.RegularExpressions.Match>();
        var lastEnd = -1;
        var tokens = Tokens.Tokens;
        for (var k = 0; k < tokens.Length; k++)
        {
            if (tokens[k].Start < lastEnd || !isCandidate(this, k))
            {
                continue;
            }
            var m = anchored.Match(Text, tokens[k].Start);
            if (m.Success)
            {
                lastEnd = m.Index + Math.Max(1, m.Length);
                matches.Add(m);
            }
        }
        return matches;
    }

    /// <summary>The word token after token <paramref name="k"/>, if the next token is a word.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<char> NextWord(int k) =>
        k + 1 < Tokens.Count && Tokens[k + 1].Kind != TokenKind.Symbol ? Tokens.Span(Tokens[k + 1]) : [];

    /// <summary>Token k begins a sentence or a clause: after . ! ? ; : , a dash, a line break, or an @handle / #tag.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool StartsClause(int k)
    {
        var t = Tokens[k];
        if (t.SentenceStart || k == 0)
        {
            return true;
        }
        var prev = Tokens[k - 1];
        if (prev.Kind == TokenKind.Symbol && Text[prev.Start] is ',' or ';' or ':' or '-' or '\u2013' or '\u2014' or ')' or '"' or '\u201D')
        {
            return true;
        }
        // The previous whitespace-separated chunk is a handle or a hashtag.
        var p = t.Start - 1;
        while (p >= 0 && char.IsWhiteSpace(Text[p]))
        {
            p--;
        }
        while (p > 0 && !char.IsWhiteSpace(Text[p - 1]))
        {
            p--;
        }
        return p >= 0 && Text[p] is '@' or '#';
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Add(string rule, int start, int end, Severity severity, string message, string suggestion) =>
        Findings.Add(new SafetyFinding(rule, start, end, severity, message, suggestion));

    /// <summary>True when <paramref name="word"/> (lower case, ASCII) occurs as a whole word within the window before <paramref name="offset"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
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
