using System.Text;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests;

/// <summary>
/// Commits don't copy SQLite's write-ahead log back into the database file (writers set wal_autocheckpoint=0, so a
/// fan-out doesn't pay for it); a background service does. If it stopped, the log would grow without bound and the
/// database file would never see new data.
/// </summary>
public sealed class SqliteCheckpointTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    [Fact]
    public async Task A_published_post_reaches_the_database_file_itself_within_seconds_without_further_writes()
    {
        var author = await server.SignUpAsync($"ckpt{Guid.NewGuid():N}"[..16]);
        using var http = server.Http(author.Token);
        var marker = $"checkpoint-marker-{Guid.NewGuid():N}";
        await http.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"Night shift handover notes {marker}" });

        var database = Path.Combine(server.DataDirectory, "drawbridge.db");
        var log = database + "-wal";
        var bytes = Encoding.UTF8.GetBytes(marker);
        Assert.True(File.Exists(log), "SQLite runs in WAL mode");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var found = false;
        while (!found && DateTime.UtcNow < deadline)
        {
            found = Contains(await ReadSharedAsync(database), bytes);
            if (!found)
            {
                await Task.Delay(200);
            }
        }
        Assert.True(found, "the post is still only in the write-ahead log after 15 s: background checkpoints aren't running");
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
