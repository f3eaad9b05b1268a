using System.Collections.Frozen;

namespace Drawbridge.Safety;

/// <summary>A case-insensitive set of words that can be asked about a span without allocating.</summary>
internal sealed class WordSet
{
    private readonly FrozenSet<string> _set;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public WordSet(IEnumerable<string> words)
    {
        _set = words.Select(w => w.Trim()).Where(w => w.Length > 0).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _lookup = _set.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public WordSet(string spaceSeparated)
        : this(spaceSeparated.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
    {
    }

    public int Count => _set.Count;

    public bool Contains(ReadOnlySpan<char> word) => _lookup.Contains(word);

    public bool Contains(string word) => _set.Contains(word);
}
