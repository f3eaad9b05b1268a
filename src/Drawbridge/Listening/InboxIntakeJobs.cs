using System.Globalization;
using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Jobs;

namespace Drawbridge.Listening;

/// <summary>
/// What the public says reaches the inboxes it is addressed to: a published reply or mention, and a guest comment,
/// each stage an intake job in the same transaction as the change, so nothing is lost between commit and intake.
/// Intake is idempotent per organisation and source, so a retried job adds nothing twice.
/// </summary>
public sealed class InboxIntakeOnPublish(JobQueue jobs) :
    ITransactionalEventHandler<PostPublished>, ITransactionalEventHandler<GuestCommentReceived>
{
    public Task HandleAsync(PostPublished e, DrawbridgeDb db, CancellationToken ct)
    {
        // Only what is addressed to someone can be feedback to them.
        if (e.InReplyToAuthorId is not null || e.Mentioned.Count > 0)
        {
            jobs.Enqueue(db, InboxPostIntakeJob.KindName, e.PostId.ToString(CultureInfo.InvariantCulture));
        }
        return Task.CompletedTask;
    }

    public Task HandleAsync(GuestCommentReceived e, DrawbridgeDb db, CancellationToken ct)
    {
        jobs.Enqueue(db, InboxGuestCommentIntakeJob.KindName, e.CommentId.ToString(CultureInfo.InvariantCulture));
        return Task.CompletedTask;
    }
}

public sealed class InboxPostIntakeJob(InboxIntake intake) : IJobHandler
{
    public const string KindName = "inbox-intake-post";
    public string Kind => KindName;

    public Task HandleAsync(DrawbridgeDb db, string payload, CancellationToken ct) =>
        intake.FromPostAsync(long.Parse(payload, CultureInfo.InvariantCulture), ct);
}

public sealed class InboxGuestCommentIntakeJob(InboxIntake intake) : IJobHandler
{
    public const string KindName = "inbox-intake-guest-comment";
    public string Kind => KindName;

    public Task HandleAsync(DrawbridgeDb db, string payload, CancellationToken ct) =>
        intake.FromGuestCommentAsync(long.Parse(payload, CultureInfo.InvariantCulture), ct);
}
