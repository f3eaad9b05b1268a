using System.Globalization;

namespace Drawbridge.Bench;

public sealed class UsageException(string message) : Exception(message);

/// <summary>Command-line options of the form <c>--name value</c>.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _read = [];

    private Options(Dictionary<string, string> values) => _values = values;

    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Length < 3)
            {
                throw new UsageException($"Unexpected argument '{args[i]}': options look like --name value.");
            }
            if (i + 1 >= args.Length)
            {
                throw new UsageException($"Option {args[i]} needs a value.");
            }
            values[args[i][2..]] = args[++i];
        }
        return new Options(values);
    }

    public string Text(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) && v.Length > 0 ? v : throw new UsageException($"Option --{name} is required.");
    }

    public int Number(string name, int fallback, int min, int max)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw new UsageException($"Option --{name} must be a whole number from {min} to {max}; got '{text}'.");
        }
        return n;
    }

    /// <summary>Call after reading every option: a misspelt option is an error, not silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }
}
