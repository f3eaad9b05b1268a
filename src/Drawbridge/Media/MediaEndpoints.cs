using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Media;

public static class MediaEndpoints
{
    /// <summary>
    /// Serves uploads by id to those who may see them (<see cref="PostAccess.CanSeeMediaAsync"/>); anyone else gets the
    /// same 404 as for an id that doesn't exist. Only the stored, checked content type is ever sent.
    /// </summary>
    public static void MapMediaFiles(this IEndpointRouteBuilder app) =>
        app.MapGet("/media/{id:long}", async (long id, HttpContext http, DrawbridgeDb db, MediaService media, CancellationToken ct) =>
        {
            var m = await db.Media.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
            var path = m is null ? null : Path.Combine(media.Folder, m.StoredName);
            var viewer = http.User.AccountIdOf();
            if (m is null || !File.Exists(path) || !await PostAccess.CanSeeMediaAsync(db, viewer, m, ct))
            {
                return Results.NotFound();
            }
            // What only some may see must not sit in a shared cache.
            http.Response.Headers.CacheControl = await PostAccess.CanSeeMediaAsync(db, null, m, ct) ? "public, max-age=3600" : "private, no-store";
            return Results.File(path, m.ContentType, enableRangeProcessing: true);
        });
}
