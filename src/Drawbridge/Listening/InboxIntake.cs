using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Listening;

/// <summary>What a person fills in on an organisation's "Tell us about your experience" form.</summary>
public sealed record FeedbackInput(string? Name, string? Email, string? Service, string Text, string? Website = null);

/// <summary>
/// Brings what the public says into organisations' inboxes: the feedback form, and replies, mentions and guest
/// comments addressed to an organisation or to a member of its staff who opted in. Each arrival is one item per
/// organisation, however often intake runs for it.
/// </summary>
public sealed class InboxIntake(DrawbridgeDb db, Snowflake ids, TimeProvider clock, ISafetyScreen safety, Jobs.JobQueue jobs)
{
    public const string HeldMessage =
        "Held privately because it looks like it contains personal identifiers ({0}). The team will still read it; " +
        "please don't share details such as your NHS number in public.";

    /// <summary>The public's feedback form: no account needed, name and email optional.</summary>
    public async Task<Outcome<InboxItem>> SubmitFeedbackAsync(string organisationHandle, FeedbackInput input, CancellationToken ct)
    {
        var key = AccountService.HandleKey((organisationHandle ?? "").TrimStart('@'));
        // Only the id: reading the whole account cost more than the rest of the intake's queries together.
        var org = await db.Accounts.AsNoTracking().Where(a => a.HandleKey == key && a.Kind == AccountKind.Organisation && a.DeletionRequestedAt == null)
            .Select(a => new { a.Id }).FirstOrDefaultAsync(ct);
        if (org is null)
        {
            return Outcome<InboxItem>.NotFound($"No organisation @{organisationHandle}");
        }
        // Bots fill every field; people never see this one.
        if (!string.IsNullOrEmpty(input.Website))
        {
            return Outcome<InboxItem>.Invalid("", "Your feedback could not be accepted");
        }
        var errors = new ErrorBag();
        var name = Clean(input.Name);
        var email = Clean(input.Email);
        var service = Clean(input.Service);
        var text = (input.Text ?? "").Trim();
        if (name?.Length > 100)
        {
            errors.Add("name", "Your name can be up to 100 characters");
        }
        if (email is not null && !AccountService.IsEmail(email))
        {
            errors.Add("email", "Enter an email address in the correct format, like name@example.com, or leave it empty");
        }
        if (service?.Length > 100)
        {
            errors.Add("service", "The service or ward can be up to 100 characters");
        }
        if (text.Length == 0)
        {
            errors.Add("text", "Tell us about your experience");
        }
        else if (text.Length > InboxLimits.Text)
        {
            errors.Add("text", $"Your feedback can be up to {InboxLimits.Text:N0} characters");
        }
        if (errors.Any)
        {
            return errors.ToOutcome<InboxItem>();
        }
        var item = NewItem(org.Id, org.Id, InboxSource.Feedback, text);
        item.AuthorName = name;
        item.ContactEmail = email;
        item.Service = service;
        item.SearchText = InboxService.SearchTextOf(text, service, name);
        item.HeldReason = HeldReasonFor(text);
        db.Add(item);
        db.Add(History(item, "Received through the feedback form"));
        // Classified in the background, never while the person waits.
        await InboxClassification.StageAsync(db, jobs, org.Id, ct);
        await db.SaveChangesAsync(ct);
        return Outcome<InboxItem>.Ok(item);
    }

    /// <summary>A published reply or mention: an item in each inbox it is addressed to (the organisation, or staff who opted in).</summary>
    public async Task<int> FromPostAsync(long postId, CancellationToken ct)
    {
        var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null || post.Status != PostStatus.Published || post.IsDeleted || post.RepostOfId is not null)
        {
            return 0;
        }
        var mentioned = await db.PostMentions.AsNoTracking().Where(m => m.PostId == postId).Select(m => m.AccountId).ToListAsync(ct);
        var addressed = new List<(long AccountId, InboxSource Source)>();
        if (post.InReplyToAuthorId is { } repliedTo)
        {
            addressed.Add((repliedTo, InboxSource.Reply));
        }
        addressed.AddRange(mentioned.Where(m => m != post.InReplyToAuthorId).Select(m => (m, InboxSource.Mention)));
        var added = 0;
        foreach (var (organisationId, addressedTo, source) in await InboxesAsync(addressed, ct))
        {
            // The organisation's own people talking among themselves, or the organisation answering, is not feedback.
            if (post.AuthorId == organisationId || await db.OrganisationMembers.AnyAsync(m => m.OrganisationId == organisationId && m.AccountId == post.AuthorId, ct))
            {
                continue;
            }
            if (await db.Set<InboxItem>().AnyAsync(i => i.OrganisationId == organisationId && i.PostId == postId, ct))
            {
                continue;
            }
            var item = NewItem(organisationId, addressedTo, source, post.Content);
            item.PostId = postId;
            item.AuthorAccountId = post.AuthorId;
            item.ReceivedAt = post.CreatedAt;
            item.SearchText = InboxService.SearchTextOf(post.Content, null, null);
            db.Add(item);
            db.Add(History(item, source == InboxSource.Reply ? "Received as a reply" : "Received as a mention"));
            await InboxClassification.StageAsync(db, jobs, organisationId, ct);
            added++;
        }
        await db.SaveChangesAsync(ct);
        return added;
    }

    /// <summary>A guest comment on an article by an organisation, or by staff who opted in.</summary>
    public async Task<int> FromGuestCommentAsync(long commentId, CancellationToken ct)
    {
        var comment = await db.GuestComments.AsNoTracking().FirstOrDefaultAsync(c => c.Id == commentId, ct);
        if (comment is null || comment.Status == GuestCommentStatus.Rejected)
        {
            return 0;
        }
        var authorId = await db.Posts.AsNoTracking().Where(p => p.Id == comment.ArticleId).Select(p => p.AuthorId).FirstOrDefaultAsync(ct);
        var added = 0;
        foreach (var (organisationId, addressedTo, _) in await InboxesAsync([(authorId, InboxSource.GuestComment)], ct))
        {
            if (await db.Set<InboxItem>().AnyAsync(i => i.OrganisationId == organisationId && i.GuestCommentId == commentId, ct))
            {
                continue;
            }
            var item = NewItem(organisationId, addressedTo, InboxSource.GuestComment, comment.Content);
            item.GuestCommentId = commentId;
            item.PostId = null;
            item.AuthorName = comment.Name;
            item.ContactEmail = comment.Email;
            item.ReceivedAt = comment.CreatedAt;
            item.SearchText = InboxService.SearchTextOf(comment.Content, null, comment.Name);
            item.HeldReason = comment.Status == GuestCommentStatus.Held ? HeldReasonFor(comment.Content) : null;
            db.Add(item);
            db.Add(History(item, "Received as a guest comment"));
            await InboxClassification.StageAsync(db, jobs, organisationId, ct);
            added++;
        }
        await db.SaveChangesAsync(ct);
        return added;
    }

    /// <summary>The inboxes for accounts addressed: an organisation's own, and each organisation of staff who opted in.</summary>
    private async Task<List<(long OrganisationId, long AddressedTo, InboxSource Source)>> InboxesAsync(List<(long AccountId, InboxSource Source)> addressed, CancellationToken ct)
    {
        var accountIds = addressed.Select(a => a.AccountId).Distinct().ToList();
        var organisations = await db.Accounts.AsNoTracking().Where(a => accountIds.Contains(a.Id) && a.Kind == AccountKind.Organisation).Select(a => a.Id).ToListAsync(ct);
        var staff = await db.OrganisationMembers.AsNoTracking().Where(m => accountIds.Contains(m.AccountId) && m.IncludeInInbox).ToListAsync(ct);
        var inboxes = new List<(long, long, InboxSource)>();
        foreach (var (accountId, source) in addressed)
        {
            if (organisations.Contains(accountId))
            {
                inboxes.Add((accountId, accountId, source));
            }
            inboxes.AddRange(staff.Where(m => m.AccountId == accountId).Select(m => (m.OrganisationId, accountId, source)));
        }
        // One item per organisation: a reply to the organisation that also mentions its staff is one item.
        return inboxes.DistinctBy(i => i.Item1).ToList();
    }

    private InboxItem NewItem(long organisationId, long addressedTo, InboxSource source, string text)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new InboxItem
        {
            Id = ids.Next(), OrganisationId = organisationId, AddressedToId = addressedTo, Source = source, State = InboxState.New,
            Text = text.Length > InboxLimits.Text ? text[..InboxLimits.Text] : text, ReceivedAt = now, UpdatedAt = now,
        };
    }

    private InboxHistoryEntry History(InboxItem item, string what) =>
        new() { Id = ids.Next(), ItemId = item.Id, What = what, At = clock.GetUtcNow().UtcDateTime };

    private string? HeldReasonFor(string text)
    {
        var identifiers = safety.Screen(text, false).Where(f => f.Severity == FindingSeverity.Block && f.IsIdentifier).Select(f => f.Rule).Distinct().ToList();
        return identifiers.Count == 0 ? null : string.Format(System.Globalization.CultureInfo.InvariantCulture, HeldMessage, string.Join(", ", identifiers));
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
