using Drawbridge.Data;
using Drawbridge.Timelines;

namespace Drawbridge.Web;

/// <summary>A page of posts with its pager, as the timeline partial shows it.</summary>
public sealed record TimelineModel(IReadOnlyList<PostView> Posts, Pager Pager, long? Me, string ReturnUrl, string Empty = "There are no posts here yet.")
{
    /// <summary>Where the page hears of new posts (<see cref="LiveUpdates"/>); only on a timeline's newest page.</summary>
    public string? Live { get; init; }

    /// <summary>The live address for a page of posts: none past the first page, where new posts don't belong.</summary>
    public static string? LiveOn(PageRequest page, string address) => page.MaxId is null && page.MinId is null ? address : null;
}
