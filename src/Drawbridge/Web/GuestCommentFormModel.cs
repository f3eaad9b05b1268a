namespace Drawbridge.Web;

/// <summary>
/// The guest comment form under an article, with what the guest typed and any errors. Under the article (a page shared
/// from the cache) it carries no antiforgery token; on the comment page of its own it does (<see cref="WithToken"/>).
/// </summary>
public sealed record GuestCommentFormModel(string ArticleUrl, string? Name, string? Email, string? Text, FormErrors Errors, bool WithToken = false);
