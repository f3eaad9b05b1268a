using Drawbridge.Timelines;

namespace Drawbridge.Web;

/// <summary>A page of posts with its pager, as the timeline partial shows it.</summary>
public sealed record TimelineModel(IReadOnlyList<PostView> Posts, Pager Pager, long? Me, string ReturnUrl, string Empty = "There are no posts here yet.");
