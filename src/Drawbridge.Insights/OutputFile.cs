namespace Drawbridge.Insights;

/// <summary>
/// An output file claimed before a long run and put in place only when the run has written all of it. Claiming it
/// first creates the file's folder and a temporary file beside it, so a path that cannot be written (a folder in the
/// way, no permission) fails at once, not after minutes of training or embedding. Until <see cref="Commit"/>, an
/// existing file at the path is left as it was, and a run that fails leaves nothing half-written.
/// </summary>
public sealed class OutputFile : IDisposable
{
    private readonly string path;
    private readonly string temporary;
    private FileStream? stream;

    private OutputFile(string path, string temporary, FileStream stream)
    {
        this.path = path;
        this.temporary = temporary;
        this.stream = stream;
    }

    /// <summary>Claims <paramref name="path"/>; an <see cref="InsightsException"/> names it when it cannot be written.</summary>
    public static OutputFile Claim(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new InsightsException($"cannot write {path}: it is a folder");
        }
        var directory = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            return new OutputFile(full, temporary, new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InsightsException($"cannot write {path}: {e.Message}");
        }
    }

    /// <summary>Where the run writes; nothing is at the path until <see cref="Commit"/>.</summary>
    public Stream Stream => stream ?? throw new InvalidOperationException("the output file was already committed");

    /// <summary>Closes the written file and moves it to the path, replacing what was there.</summary>
    public void Commit()
    {
        var written = stream ?? throw new InvalidOperationException("the output file was already committed");
        written.Flush(flushToDisk: true);
        written.Dispose();
        stream = null;
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Without a commit, the temporary file is removed and the path keeps what it had.</summary>
    public void Dispose()
    {
        if (stream is null)
        {
            return;
        }
        stream.Dispose();
        stream = null;
        try
        {
            File.Delete(temporary);
        }
        catch (IOException)
        {
            // Best effort: a leftover hidden .tmp file is harmless and named after the output it was for.
        }
    }
}
