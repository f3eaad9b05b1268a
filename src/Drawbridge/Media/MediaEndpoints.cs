using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Media;

public static class MediaEndpoints
{
    /// <summary>Serves uploads by id; only the stored, checked content type is ever sent.</summary>
    public static void MapMediaFiles(this IEndpointRouteBuilder app) =>
        app.MapGet("/media/{id:long}", async (long id, DrawbridgeDb db, MediaService media, CancellationToken ct) =>
        {
            var m = await db.Media.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
            var path = m is null ? null : Path.Combine(media.Folder, m.StoredName);
            if (m is null || !File.Exists(path))
            {
                return Results.NotFound();
            }
            return Results.File(path, m.ContentType, enableRangeProcessing: true);
        });
}
