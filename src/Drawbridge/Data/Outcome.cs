namespace Drawbridge.Data;

/// <summary>
/// The result of a command that can be refused: either a value, or errors keyed by the field they concern
/// (an empty key for the whole request). Web pages show the errors beside the fields; the API returns
/// them as RFC 9457 validation problem details.
/// </summary>
public sealed class Outcome<T>
{
    private Outcome(T? value, IReadOnlyDictionary<string, string[]> errors, OutcomeFailure failure)
    {
        Value = value;
        Errors = errors;
        Failure = failure;
    }

    public T? Value { get; }
    public IReadOnlyDictionary<string, string[]> Errors { get; }
    public OutcomeFailure Failure { get; }
    public bool Succeeded => Failure == OutcomeFailure.None;

    public static Outcome<T> Ok(T value) => new(value, new Dictionary<string, string[]>(), OutcomeFailure.None);

    public static Outcome<T> Invalid(string field, string message) => new(default, new Dictionary<string, string[]> { [field] = [message] }, OutcomeFailure.Invalid);

    public static Outcome<T> Invalid(IReadOnlyDictionary<string, string[]> errors) => new(default, errors, OutcomeFailure.Invalid);

    public static Outcome<T> NotFound(string message) => new(default, new Dictionary<string, string[]> { [""] = [message] }, OutcomeFailure.NotFound);

    public static Outcome<T> Forbidden(string message) => new(default, new Dictionary<string, string[]> { [""] = [message] }, OutcomeFailure.Forbidden);

    public static Outcome<T> Conflict(string field, string message) => new(default, new Dictionary<string, string[]> { [field] = [message] }, OutcomeFailure.Conflict);

    public Outcome<TOther> As<TOther>() => new(default, Errors, Failure);

    public string FirstError => Errors.Values.SelectMany(v => v).FirstOrDefault() ?? "";
}

public enum OutcomeFailure { None, Invalid, NotFound, Forbidden, Conflict }

/// <summary>Collects field errors while validating a command.</summary>
public sealed class ErrorBag
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public Outcome<T> ToOutcome<T>() => Outcome<T>.Invalid(ToDictionary());
}

/// <summary>Cursor pagination by time-sortable id, as the Mastodon API does it.</summary>
public readonly record struct PageRequest(long? MaxId = null, long? SinceId = null, long? MinId = null, int Limit = 20)
{
    public const int MaxLimit = 40;
    public int Take => Math.Clamp(Limit <= 0 ? 20 : Limit, 1, MaxLimit);
}
