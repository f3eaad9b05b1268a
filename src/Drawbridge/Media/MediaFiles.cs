using Drawbridge.Data;

namespace Drawbridge.Media;

/// <summary>
/// The media folder on disk: files go when their rows go (a deleted post, a purged account), and uploads a crash
/// or a lost connection left half-written are swept away.
/// </summary>
public sealed class MediaFiles(IConfiguration configuration, ILogger<MediaFiles> log)
{
    /// <summary>An upload still being written is younger than this; an older temporary file was abandoned.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    public string Folder { get; } = Path.Combine(DatabaseSetup.DataDirectory(configuration), "media");

    /// <summary>Deletes stored files by name (after the rows that named them are gone); a missing file is not an error.</summary>
    public void Delete(IEnumerable<string> storedNames)
    {
        foreach (var name in storedNames)
        {
            // Names are written by the server ("{id}.ext"), but never follow one out of the folder.
            if (name != Path.GetFileName(name))
            {
                continue;
            }
            try
            {
                File.Delete(Path.Combine(Folder, name));
            }
            catch (IOException e)
            {
                log.LogWarning(e, "Could not delete media file {Name}", name);
            }
        }
    }

    /// <summary>Removes temporary upload files older than <see cref="AbandonedAfter"/>; returns how many.</summary>
    public int CleanAbandonedUploads(DateTime nowUtc)
    {
        if (!Directory.Exists(Folder))
        {
            return 0;
        }
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(Folder, "*.upload"))
        {
            if (File.GetLastWriteTimeUtc(file) < nowUtc - AbandonedAfter)
            {
                try
                {
                    File.Delete(file);
                    removed++;
                }
                catch (IOException e)
                {
                    log.LogWarning(e, "Could not delete abandoned upload {File}", file);
                }
            }
        }
        return removed;
    }
}
