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
            jobs.Enqueue(db, new InboxPostIntake(e.PostId));
        }
        return Task.CompletedTask;
    }

    public Task HandleAsync(GuestCommentReceived e, DrawbridgeDb db, CancellationToken ct)
    {
        jobs.Enqueue(db, new InboxGuestCommentIntake(e.CommentId));
        return Task.CompletedTask;
    }
}

/// <summary>A reply or mention to sort into the inboxes it is addressed to.</summary>
public sealed record InboxPostIntake(long PostId) : IJobPayload<InboxPostIntake>
{
    public static string Kind => InboxPostIntakeJob.KindName;
    public static string Queue => JobQueues.Default;
}

/// <summary>A guest comment to sort into its article's author's inboxes.</summary>
public sealed record InboxGuestCommentIntake(long CommentId) : IJobPayload<InboxGuestCommentIntake>
{
    public static string Kind => InboxGuestCommentIntakeJob.KindName;
    public static string Queue => JobQueues.Default;
}

public sealed class InboxPostIntakeJob(InboxIntake intake) : JobHandler<InboxPostIntake>
{
    public const string KindName = "inbox-intake-post";

    protected override InboxPostIntake FromUntyped(string payload) => new(long.Parse(payload, CultureInfo.InvariantCulture));

    protected override Task HandleAsync(DrawbridgeDb db, InboxPostIntake job, CancellationToken ct) => intake.FromPostAsync(job.PostId, ct);
}

public sealed class InboxGuestCommentIntakeJob(InboxIntake intake) : JobHandler<InboxGuestCommentIntake>
{
    public const string KindName = "inbox-intake-guest-comment";

    protected override InboxGuestCommentIntake FromUntyped(string payload) => new(long.Parse(payload, CultureInfo.InvariantCulture));

    protected override Task HandleAsync(DrawbridgeDb db, InboxGuestCommentIntake job, CancellationToken ct) => intake.FromGuestCommentAsync(job.CommentId, ct);
}
