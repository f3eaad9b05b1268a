using Drawbridge.Data;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Listening;

/// <summary>
/// Responders speak as the organisation: the post is the organisation's in public, and the member of staff who wrote it
/// is recorded for the organisation's own people (an audit, never shown outside).
/// </summary>
public sealed class OrganisationVoice(DrawbridgeDb db, PostPublishing posts, TimeProvider clock)
{
    public async Task<Outcome<Post>> PostAsync(OrganisationDesk desk, PostInput input, CancellationToken ct)
    {
        if (!desk.CanRespond)
        {
            return Outcome<Post>.Forbidden("Viewers can't post for the organisation");
        }
        // The organisation has no media of its own to attach, and no drafts: a responder publishes or doesn't.
        var outcome = await posts.CreateAsync(desk.Organisation.Id, input with { MediaIds = null, EnclosureMediaId = null, Draft = false }, ct);
        if (outcome.Succeeded)
        {
            db.Add(new OrganisationPostAuthor
            {
                PostId = outcome.Value!.Id, OrganisationId = desk.Organisation.Id, StaffAccountId = desk.StaffId, CreatedAt = clock.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync(ct);
        }
        return outcome;
    }

    /// <summary>Who on the staff wrote one of the organisation's posts (null when nobody is recorded).</summary>
    public async Task<Outcome<Accounts.Account?>> WrittenByAsync(OrganisationDesk desk, long postId, CancellationToken ct)
    {
        var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == postId && p.AuthorId == desk.Organisation.Id, ct);
        if (post is null)
        {
            return Outcome<Accounts.Account?>.NotFound("The organisation has no such post");
        }
        var staff = await db.Set<OrganisationPostAuthor>().AsNoTracking().Where(a => a.PostId == postId)
            .Join(db.Accounts, a => a.StaffAccountId, a => a.Id, (_, account) => account).FirstOrDefaultAsync(ct);
        return Outcome<Accounts.Account?>.Ok(staff);
    }
}
