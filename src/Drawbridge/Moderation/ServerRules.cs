namespace Drawbridge.Moderation;

/// <summary>One of the server's rules: what people agree to at sign-up, what a report names and a decision cites.</summary>
public sealed record ServerRule(int Id, string Key, string Title, string Text);

/// <summary>
/// The server's rules, fixed in code so a report, a decision and the public log always name the same rule. Their ids
/// are numbers because Mastodon's clients send rule ids (rule_ids[]) as they were listed.
/// </summary>
public static class ServerRules
{
    public static readonly IReadOnlyList<ServerRule> All =
    [
        new(1, "listen", "Listen", "Listen before you answer. People come here to be heard by the services they use: read what they said, and answer what they asked."),
        new(2, "respect", "Respect", "Treat everyone with respect: no harassment, abuse, hate or threats, and no piling on. Disagree with ideas, not with people."),
        new(3, "know-your-subject", "Know your subject", "Speak from your own knowledge and experience, say where it ends, and don't present opinion or rumour as fact."),
        new(4, "discuss-limitations", "Discuss limitations", "Be honest about what you and your service can and can't do, and about what is uncertain."),
        new(5, "no-individual-advice", "No individual advice", "Don't give or ask for advice about one person's care, health or case here: share general information, and point people to the right service. Never post anything that identifies a patient or client."),
    ];

    public static ServerRule? Find(int id) => All.FirstOrDefault(r => r.Id == id);

    /// <summary>A rule from its id or key ("2" or "respect"), as forms and clients send it.</summary>
    public static ServerRule? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        value = value.Trim();
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? Find(id)
            : All.FirstOrDefault(r => string.Equals(r.Key, value, StringComparison.OrdinalIgnoreCase));
    }

    public static string TitleOf(int? id) => id is { } i && Find(i) is { } r ? r.Title : "";
}
