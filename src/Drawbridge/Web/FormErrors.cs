namespace Drawbridge.Web;

/// <summary>
/// Field errors for a form, keyed like <see cref="Data.Outcome{T}.Errors"/> (camelCase field names, which are also
/// the form fields' names and ids); an empty key is an error about the whole form.
/// </summary>
public sealed class FormErrors
{
    private readonly List<(string Field, string Message)> _items = [];

    public bool Any => _items.Count > 0;

    public IReadOnlyList<(string Field, string Message)> Items => _items;

    public void Add(string field, string message) => _items.Add((field, message));

    public void AddAll(IReadOnlyDictionary<string, string[]> errors, IReadOnlyDictionary<string, string>? renames = null)
    {
        foreach (var (field, messages) in errors)
        {
            var name = renames is not null && renames.TryGetValue(field, out var renamed) ? renamed : field;
            foreach (var m in messages)
            {
                Add(name, m);
            }
        }
    }

    public IReadOnlyList<string> For(string field) => _items.Where(i => i.Field == field).Select(i => i.Message).ToList();

    public bool Has(string field) => _items.Any(i => i.Field == field);
}
