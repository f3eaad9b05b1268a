using System.Buffers;

namespace Drawbridge.Safety;

internal enum TokenKind : byte
{
    Word,
    Number,
    Symbol,
}

/// <summary>A word, a run of digits or a single other character, with its place in the text.</summary>
internal readonly record struct Token(int Start, int Length, TokenKind Kind, bool SentenceStart)
{
    public int End => Start + Length;
}

/// <summary>
/// The text cut once into tokens so that every rule reads the same words; the token array is pooled.
/// </summary>
internal sealed class TokenizedText : IDisposable
{
    private Token[] _tokens;

    public TokenizedText(string text)
    {
        Text = text;
        _tokens = ArrayPool<Token>.Shared.Rent(Math.Max(16, text.Length / 3 + 8));
        Tokenize();
    }

    public string Text { get; }

    public int Count { get; private set; }

    public ReadOnlySpan<Token> Tokens => _tokens.AsSpan(0, Count);

    public Token this[int index] => index < Count ? _tokens[index] : throw new ArgumentOutOfRangeException(nameof(index));

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<char> Span(Token t) => Text.AsSpan(t.Start, t.Length);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Dispose()
    {
        if (_tokens.Length > 0)
        {
            ArrayPool<Token>.Shared.Return(_tokens);
            _tokens = [];
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Add(Token t)
    {
        if (Count == _tokens.Length)
        {
            var bigger = ArrayPool<Token>.Shared.Rent(_tokens.Length * 2);
            _tokens.AsSpan(0, Count).CopyTo(bigger);
            ArrayPool<Token>.Shared.Return(_tokens);
            _tokens = bigger;
        }
        _tokens[Count++] = t;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Tokenize()
    {
        var s = Text;
        var i = 0;
        var sentenceStart = true;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                if (c == '\n')
                {
                    sentenceStart = true;
                }
                i++;
                continue;
            }
            var start = i;
            if (char.IsAsciiDigit(c))
            {
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }
                Add(new Token(start, i - start, TokenKind.Number, sentenceStart));
                sentenceStart = false;
                continue;
            }
            if (char.IsLetter(c))
            {
                i++;
                while (i < s.Length)
                {
                    var d = s[i];
                    if (char.IsLetter(d) || char.IsAsciiDigit(d) || char.GetUnicodeCategory(d) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark)
                    {
                        i++;
                    }
                    else if ((d is '\'' or '\u2019' or '-') && i + 1 < s.Length && char.IsLetter(s[i + 1]))
                    {
                        // O'Neill, Al-Sayed, co-codamol: one word. A trailing 's is split off below.
                        if ((d is '\'' or '\u2019') && (s[i + 1] is 's' or 'S') && (i + 2 >= s.Length || !char.IsLetter(s[i + 2])))
                        {
                            break;
                        }
                        i += 2;
                    }
                    else
                    {
                        break;
                    }
                }
                Add(new Token(start, i - start, TokenKind.Word, sentenceStart));
                sentenceStart = false;
                continue;
            }
            if (char.IsSurrogate(c) && i + 1 < s.Length && char.IsSurrogatePair(c, s[i + 1]))
            {
                i += 2;
            }
            else
            {
                i++;
            }
            Add(new Token(start, i - start, TokenKind.Symbol, sentenceStart));
            if (c is '.' or '!' or '?' or ';' or '\u2026')
            {
                sentenceStart = true;
            }
            else if (c is '"' or '\u201C' or '(' or '\'' or '\u2018' or '*' or '-' or '\u2022' or ':')
            {
                // Opening quotes, brackets and list marks keep the sentence start.
            }
            else
            {
                sentenceStart = false;
            }
        }
    }

    /// <summary>Index of the first token that starts at or after <paramref name="offset"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int TokenAt(int offset)
    {
        int lo = 0, hi = Count;
        var tokens = _tokens;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (tokens[mid].Start < offset)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
