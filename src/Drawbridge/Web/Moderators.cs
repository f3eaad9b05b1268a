namespace Drawbridge.Web;

public static class Moderators
{
    /// <summary>The Identity role whose members see /moderation.</summary>
    public const string Role = "moderator";
}
