using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Posts;

namespace Drawbridge.Search;

/// <summary>Keeps the search index in step with posts, in the change's own transaction (followers-only posts are never indexed).</summary>
public sealed class SearchIndexing(SearchIndex index) :
    ITransactionalEventHandler<PostPublished>, ITransactionalEventHandler<PostEdited>, ITransactionalEventHandler<PostDeleted>
{
    public async Task HandleAsync(PostPublished e, DrawbridgeDb db, CancellationToken ct)
    {
        if (e.Visibility < Visibility.Followers && await db.Posts.FindAsync([e.PostId], ct) is { } post)
        {
            await index.IndexAsync(post, ct);
        }
    }

    public async Task HandleAsync(PostEdited e, DrawbridgeDb db, CancellationToken ct)
    {
        if (e.Published && await db.Posts.FindAsync([e.PostId], ct) is { Visibility: < Visibility.Followers } post)
        {
            await index.IndexAsync(post, ct);
        }
    }

    public async Task HandleAsync(PostDeleted e, DrawbridgeDb db, CancellationToken ct)
    {
        if (e.WasPublished)
        {
            await index.RemoveAsync(e.PostId, ct);
        }
    }
}
