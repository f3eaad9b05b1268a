namespace Drawbridge.Web;

public static class Moderators
{
    /// <summary>The Identity role whose members see /moderation: held posts, reports, appeals.</summary>
    public const string Role = "moderator";

    /// <summary>The Identity role whose members grant and remove roles (/admin/roles).</summary>
    public const string AdminRole = "admin";

    public static readonly IReadOnlyList<string> Roles = [Role, AdminRole];
}
