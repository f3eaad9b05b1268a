namespace Drawbridge.Web;

/// <summary>The guest comment form under an article, with what the guest typed and any errors.</summary>
public sealed record GuestCommentFormModel(string ArticleUrl, string? Name, string? Email, string? Text, FormErrors Errors);
