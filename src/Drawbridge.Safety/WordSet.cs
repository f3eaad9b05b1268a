using System.Collections.Frozen;

namespace Drawbridge.Safety;

/// <summary>A case-insensitive set of words that can be asked about a span without allocating.</summary>
internal sealed class WordSet
{
    private readonly FrozenSet<string> _set;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    // Bit n of _shapes[initial] is set when the set holds a word of length n starting with that letter:
    // most words of a text are turned away by this before any hashing.
    private readonly ulong[] _shapes = new ulong[27];

    public WordSet(IEnumerable<string> words)
    {
        _set = words.Select(w => w.Trim()).Where(w => w.Length > 0).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _lookup = _set.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var w in _set)
        {
            _shapes[Initial(w[0])] |= 1UL << Math.Min(w.Length, 63);
        }
    }

    private static int Initial(char c) => c is >= 'a' and <= 'z' ? c - 'a' : c is >= 'A' and <= 'Z' ? c - 'A' : 26;

    private bool MayContain(ReadOnlySpan<char> word) =>
        word.Length > 0 && (_shapes[Initial(word[0])] & (1UL << Math.Min(word.Length, 63))) != 0;

    public WordSet(string spaceSeparated)
        : this(spaceSeparated.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
    {
    }

    public int Count => _set.Count;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool Contains(ReadOnlySpan<char> word)
    {
        if (MayContain(word) && _lookup.Contains(word))
        {
            return true;
        }
        // "Ayşe Yılmaz" matches "Ayse Yilmaz": letters with accents are looked up without them too.
        if (System.Text.Ascii.IsValid(word) || word.Length > 64)
        {
            return false;
        }
        Span<char> folded = stackalloc char[word.Length * 2];
        var n = Fold(word, folded);
        return n > 0 && MayContain(folded[..n]) && _lookup.Contains(folded[..n]);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool Contains(string word) => Contains(word.AsSpan());

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int Fold(ReadOnlySpan<char> word, Span<char> into)
    {
        var n = 0;
        foreach (var c in word)
        {
            if (n + 2 > into.Length)
            {
                return 0;
            }
            switch (c)
            {
                case 'ı': into[n++] = 'i'; continue;
                case 'ł': into[n++] = 'l'; continue;
                case 'Ł': into[n++] = 'L'; continue;
                case 'ø': into[n++] = 'o'; continue;
                case 'Ø': into[n++] = 'O'; continue;
                case 'đ': into[n++] = 'd'; continue;
                case 'Đ': into[n++] = 'D'; continue;
                case 'ß': into[n++] = 's'; into[n++] = 's'; continue;
                case 'æ': into[n++] = 'a'; into[n++] = 'e'; continue;
                case '\u2019': into[n++] = '\''; continue;
            }
            if (c < 128)
            {
                into[n++] = c;
                continue;
            }
            if (char.IsSurrogate(c))
            {
                return 0;
            }
            var decomposed = c.ToString().Normalize(System.Text.NormalizationForm.FormD);
            foreach (var d in decomposed)
            {
                if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(d) != System.Globalization.UnicodeCategory.NonSpacingMark && n < into.Length)
                {
                    into[n++] = d;
                }
            }
        }
        return n;
    }
}
