using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Listening;

/// <summary>
/// The two-way score of an account over a window: four measures, kept apart so none hides another
/// (docs/two-way-score.md defines each).
/// </summary>
public sealed record TwoWayScore(
    int Days, DateTime From, DateTime To,
    int ConversationPosts, int BroadcastPosts,
    double? MedianHoursToAnswer, int AnswersToThePublic,
    int PeopleEngaged,
    int InboxWithinTarget, int InboxDue)
{
    public double? ConversationShare => ConversationPosts + BroadcastPosts == 0 ? null : (double)ConversationPosts / (ConversationPosts + BroadcastPosts);

    public double? InboxWithinTargetShare => InboxDue == 0 ? null : (double)InboxWithinTarget / InboxDue;
}

public sealed class TwoWayScores(DrawbridgeDb db, ResponseTimes responseTimes, TimeProvider clock)
{
    public static readonly int[] Windows = [30, 90];

    public async Task<TwoWayScore> ForAccountAsync(Account account, int days, CancellationToken ct)
    {
        var to = clock.GetUtcNow().UtcDateTime;
        var from = to.AddDays(-days);
        var id = account.Id;
        var posts = await db.Posts.AsNoTracking()
            .Where(p => p.AuthorId == id && p.CreatedAt >= from && p.CreatedAt < to && p.Status == PostStatus.Published && p.DeletedAt == null && p.RepostOfId == null)
            .Select(p => new { p.Id, p.InReplyToId, p.InReplyToAuthorId, p.CreatedAt }).ToListAsync(ct);
        // Conversation: a reply to someone else. Broadcast: a new post, or a reply to one's own (a thread).
        var replies = posts.Where(p => p.InReplyToAuthorId is { } a && a != id).ToList();
        var broadcast = posts.Count - replies.Count;

        var parentIds = replies.Select(r => r.InReplyToId!.Value).Distinct().ToList();
        var parents = new List<(long Id, long AuthorId, DateTime CreatedAt, AccountKind Kind)>();
        foreach (var chunk in parentIds.Chunk(500))
        {
            var rows = await db.Posts.AsNoTracking().Where(p => chunk.Contains(p.Id))
                .Join(db.Accounts, p => p.AuthorId, a => a.Id, (p, a) => new { p.Id, p.AuthorId, p.CreatedAt, a.Kind }).ToListAsync(ct);
            parents.AddRange(rows.Select(r => (r.Id, r.AuthorId, r.CreatedAt, r.Kind)));
        }
        // Answering the public: the first reply to a post by a member of the public, timed from that post.
        var firstReply = replies.GroupBy(r => r.InReplyToId!.Value).ToDictionary(g => g.Key, g => g.Min(r => r.CreatedAt));
        var answerHours = parents.Where(p => p.Kind == AccountKind.Member && firstReply.ContainsKey(p.Id))
            .Select(p => Math.Max(0, (firstReply[p.Id] - p.CreatedAt).TotalHours)).ToList();
        var people = parents.Select(p => "a" + p.AuthorId).ToHashSet();

        // The inbox: for an organisation, its own; for a person, what the public addressed to them there.
        var items = await (account.Kind == AccountKind.Organisation
                ? db.Set<InboxItem>().AsNoTracking().Where(i => i.OrganisationId == id)
                : db.Set<InboxItem>().AsNoTracking().Where(i => i.AddressedToId == id))
            .Where(i => i.ReceivedAt >= from && i.ReceivedAt < to)
            .Select(i => new { i.Id, i.OrganisationId, i.ReceivedAt, i.RespondedAt, i.RespondedById, i.State, i.AuthorAccountId, i.ContactEmail })
            .ToListAsync(ct);
        int within = 0, due = 0;
        foreach (var group in items.GroupBy(i => i.OrganisationId))
        {
            var clk = await responseTimes.ClockAsync(group.Key, ct, to);
            foreach (var i in group)
            {
                if (i.State == InboxState.Closed && i.RespondedAt is null)
                {
                    continue;
                }
                switch (clk.WithinTarget(i.ReceivedAt, i.RespondedAt))
                {
                    case true:
                        within++;
                        due++;
                        break;
                    case false:
                        due++;
                        break;
                }
            }
        }
        // People answered through the inbox count too: by account, else by the address they left, else each on their own.
        foreach (var i in items.Where(i => i.RespondedAt is not null && (account.Kind == AccountKind.Organisation || i.RespondedById == id)))
        {
            people.Add(i.AuthorAccountId is { } a ? "a" + a : i.ContactEmail is { Length: > 0 } e ? "e" + e.ToLowerInvariant() : "i" + i.Id);
        }
        people.Remove("a" + id);
        return new TwoWayScore(days, from, to, replies.Count, broadcast, ResponseTimes.Median(answerHours), answerHours.Count, people.Count, within, due);
    }

    /// <summary>"62%", or a dash when there is nothing to measure.</summary>
    public static string Percent(double? share) => share is { } s ? Math.Round(s * 100).ToString(System.Globalization.CultureInfo.InvariantCulture) + "%" : "–";
}
