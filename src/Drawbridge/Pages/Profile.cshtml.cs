using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Social;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;

namespace Drawbridge.Pages;

[OutputCache(PolicyName = PublicPageCache.PolicyName)]
public sealed class ProfileModel(AccountService accounts, TimelineService timelines, FollowService follows, Listening.ListeningSettingsService listening, Listening.TwoWayScores scores) : DrawbridgePage
{
    public Account Account { get; private set; } = null!;
    public Relationship? Relationship { get; private set; }
    public string? Tab { get; private set; }
    public TimelineModel Timeline { get; private set; } = null!;
    /// <summary>The two-way score, only when its owner chose to show it.</summary>
    public IReadOnlyList<Listening.TwoWayScore>? Scores { get; private set; }

    /// <summary>Only http(s) links are ever shown, whatever is stored.</summary>
    public IReadOnlyList<ProfileLink> SafeLinks => Account.ParsedLinks().Where(l => AccountService.IsSafeHttpUrl(l.Url)).ToList();

    public async Task<IActionResult> OnGetAsync(string handle, string? tab, [FromQuery(Name = "max_id")] long? maxId, [FromQuery(Name = "min_id")] long? minId, CancellationToken ct)
    {
        if (await accounts.FindByHandleAsync(handle, ct) is not { } account)
        {
            return NotFound();
        }
        Account = account;
        Tab = tab is "replies" or "articles" ? tab : null;
        if (Me is { } me && me != account.Id)
        {
            Relationship = await follows.RelationshipAsync(me, account.Id, ct);
        }
        if (Me is null)
        {
            PublicPageCache.CacheableListing(HttpContext);
        }
        if (Tab is null && maxId is null && minId is null && account.IsLocal && await listening.IsScorePublicAsync(account.Id, ct))
        {
            var list = new List<Listening.TwoWayScore>();
            foreach (var days in Listening.TwoWayScores.Windows)
            {
                list.Add(await scores.ForAccountAsync(account, days, ct));
            }
            Scores = list;
        }
        var request = new PageRequest(maxId, null, minId);
        var posts = await timelines.ProfileAsync(account.Id, Me, Tab == "replies", Tab == "articles", request, ct);
        Timeline = new TimelineModel(posts, Pager.For(Links.Profile(account.Handle), new Dictionary<string, string?> { ["tab"] = Tab }, posts, request), Me,
            Request.Path + Request.QueryString, Tab == "articles" ? $"{account.DisplayName} hasn't published any articles yet." : $"{account.DisplayName} hasn't posted yet.");
        return Page();
    }

    public Task<IActionResult> OnPostFollowAsync(string handle, CancellationToken ct) => Relate(handle, id => follows.FollowAsync(MeRequired, id, ct), "You now follow {0}", ct);

    public Task<IActionResult> OnPostUnfollowAsync(string handle, CancellationToken ct) => Relate(handle, id => follows.UnfollowAsync(MeRequired, id, ct), "You no longer follow {0}", ct);

    public Task<IActionResult> OnPostMuteAsync(string handle, CancellationToken ct) => Relate(handle, id => follows.MuteAsync(MeRequired, id, true, ct), "You muted {0}: their posts won't appear in your timelines", ct);

    public Task<IActionResult> OnPostUnmuteAsync(string handle, CancellationToken ct) => Relate(handle, id => follows.MuteAsync(MeRequired, id, false, ct), "You unmuted {0}", ct);

    public Task<IActionResult> OnPostBlockAsync(string handle, CancellationToken ct) => Relate(handle, id => follows.BlockAsync(MeRequired, id, true, ct), "You blocked {0}", ct);

    public Task<IActionResult> OnPostUnblockAsync(string handle, CancellationToken ct) => Relate(handle, id => follows.BlockAsync(MeRequired, id, false, ct), "You unblocked {0}", ct);

    private async Task<IActionResult> Relate(string handle, Func<long, Task<Outcome<Relationship>>> action, string done, CancellationToken ct)
    {
        if (Me is null)
        {
            return Challenge();
        }
        if (await accounts.FindByHandleAsync(handle, ct) is not { } account)
        {
            return NotFound();
        }
        var outcome = await action(account.Id);
        Flash(outcome.Succeeded ? string.Format(System.Globalization.CultureInfo.InvariantCulture, done, account.DisplayName) : outcome.FirstError);
        return LocalRedirect(Links.Profile(account.Handle));
    }
}
