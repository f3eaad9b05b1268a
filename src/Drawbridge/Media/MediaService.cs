using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using SkiaSharp;

namespace Drawbridge.Media;

/// <summary>
/// Stores uploads in the data directory. Images are decoded and re-encoded, which drops every metadata block
/// (EXIF, GPS, XMP, comments) and turns the picture upright first; audio and video are checked by their first
/// bytes, not by the name or type the browser claims.
/// </summary>
public sealed class MediaService(DrawbridgeDb db, Snowflake ids, TimeProvider clock, IConfiguration configuration)
{
    public const long MaxImageBytes = 10 * 1024 * 1024;
    public const long MaxEpisodeBytes = 200 * 1024 * 1024;
    public const long MaxImagePixels = 40_000_000;

    public string Folder { get; } = Path.Combine(DatabaseSetup.DataDirectory(configuration), "media");

    /// <summary>
    /// Stores an upload. An image needs its description here unless <paramref name="describeLater"/> (apps that upload
    /// first and describe after, as Mastodon's do; posting then asks for it). <paramref name="imagesOnly"/> for pictures
    /// such as avatars.
    /// </summary>
    public async Task<Outcome<MediaAttachment>> UploadAsync(long ownerId, Stream content, long length, string? altText, CancellationToken ct,
        bool describeLater = false, bool imagesOnly = false)
    {
        if (length <= 0)
        {
            return Outcome<MediaAttachment>.Invalid("file", "The selected file is empty");
        }
        if (length > MaxEpisodeBytes)
        {
            return Outcome<MediaAttachment>.Invalid("file", "The selected file must be smaller than 200 MB");
        }
        if ((altText?.Length ?? 0) > 1500)
        {
            return Outcome<MediaAttachment>.Invalid("altText", "A description can be up to 1,500 characters");
        }
        Directory.CreateDirectory(Folder);
        var id = ids.Next();
        var temp = Path.Combine(Folder, $"{id}.upload");
        try
        {
            await using (var file = File.Create(temp))
            {
                await content.CopyToAsync(file, ct);
            }
            var head = new byte[16];
            await using (var file = File.OpenRead(temp))
            {
                _ = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
            }
            var sniffed = Sniff(head);
            if (sniffed is null)
            {
                return Outcome<MediaAttachment>.Invalid("file", "The selected file must be a JPG, PNG, WebP or GIF image, or an MP3, M4A, OGG, WAV, MP4 or WebM episode");
            }
            var (kind, contentType, extension) = sniffed.Value;
            if (imagesOnly && kind != MediaKind.Image)
            {
                return Outcome<MediaAttachment>.Invalid("file", "The selected file must be a JPG, PNG, WebP or GIF image");
            }
            var media = new MediaAttachment { Id = id, OwnerId = ownerId, Kind = kind, ContentType = contentType, StoredName = $"{id}{extension}", AltText = altText?.Trim() ?? "", CreatedAt = clock.GetUtcNow().UtcDateTime };
            if (kind == MediaKind.Image)
            {
                if (length > MaxImageBytes)
                {
                    return Outcome<MediaAttachment>.Invalid("file", "An image must be smaller than 10 MB");
                }
                if (string.IsNullOrWhiteSpace(altText) && !describeLater)
                {
                    return Outcome<MediaAttachment>.Invalid("altText", "Describe the image for people who can't see it (alt text)");
                }
                if (PixelsOf(temp) > MaxImagePixels)
                {
                    // A small file can claim a huge picture (a decompression bomb): it is refused before it is decoded.
                    return Outcome<MediaAttachment>.Invalid("file", "An image can be at most 40 megapixels (for example 8,000 × 5,000)");
                }
                var clean = Reencode(temp, out var width, out var height);
                if (clean is null)
                {
                    return Outcome<MediaAttachment>.Invalid("file", "The image could not be read; it may be damaged");
                }
                media.ContentType = clean.Value.ContentType;
                media.StoredName = $"{id}{clean.Value.Extension}";
                await File.WriteAllBytesAsync(Path.Combine(Folder, media.StoredName), clean.Value.Bytes, ct);
                media.Width = width;
                media.Height = height;
                media.Size = clean.Value.Bytes.Length;
            }
            else
            {
                File.Move(temp, Path.Combine(Folder, media.StoredName));
                media.Size = length;
            }
            db.Media.Add(media);
            await db.SaveChangesAsync(ct);
            return Outcome<MediaAttachment>.Ok(media);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public async Task<Outcome<MediaAttachment>> DescribeAsync(long ownerId, long mediaId, string altText, CancellationToken ct)
    {
        var media = await db.Media.FirstOrDefaultAsync(m => m.Id == mediaId && m.OwnerId == ownerId, ct);
        if (media is null)
        {
            return Outcome<MediaAttachment>.NotFound("File not found");
        }
        if (string.IsNullOrWhiteSpace(altText) || altText.Length > 1500)
        {
            return Outcome<MediaAttachment>.Invalid("altText", "Describe the image in up to 1,500 characters");
        }
        media.AltText = altText.Trim();
        await db.SaveChangesAsync(ct);
        return Outcome<MediaAttachment>.Ok(media);
    }

    public Task<MediaAttachment?> FindAsync(long id, CancellationToken ct) => db.Media.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct);

    private static (MediaKind, string, string)? Sniff(ReadOnlySpan<byte> h)
    {
        if (h.Length < 12)
        {
            return null;
        }
        if (h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF) return (MediaKind.Image, "image/jpeg", ".jpg");
        if (h[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return (MediaKind.Image, "image/png", ".png");
        if (h[..4].SequenceEqual("GIF8"u8)) return (MediaKind.Image, "image/gif", ".gif");
        if (h[..4].SequenceEqual("RIFF"u8) && h[8..12].SequenceEqual("WEBP"u8)) return (MediaKind.Image, "image/webp", ".webp");
        if (h[..4].SequenceEqual("RIFF"u8) && h[8..12].SequenceEqual("WAVE"u8)) return (MediaKind.Audio, "audio/wav", ".wav");
        if (h[..3].SequenceEqual("ID3"u8) || (h[0] == 0xFF && (h[1] & 0xE0) == 0xE0)) return (MediaKind.Audio, "audio/mpeg", ".mp3");
        if (h[..4].SequenceEqual("OggS"u8)) return (MediaKind.Audio, "audio/ogg", ".ogg");
        if (h[..4].SequenceEqual(new byte[] { 0x1A, 0x45, 0xDF, 0xA3 })) return (MediaKind.Video, "video/webm", ".webm");
        if (h[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = System.Text.Encoding.ASCII.GetString(h[8..12]);
            return brand.StartsWith("M4A", StringComparison.Ordinal) ? (MediaKind.Audio, "audio/mp4", ".m4a") : (MediaKind.Video, "video/mp4", ".mp4");
        }
        return null;
    }

    /// <summary>Width × height as the file's header states them, read without decoding the picture.</summary>
    private static long PixelsOf(string path)
    {
        using var codec = SKCodec.Create(path);
        return codec is null ? 0 : (long)codec.Info.Width * codec.Info.Height;
    }

    private static (byte[] Bytes, string ContentType, string Extension)? Reencode(string path, out int width, out int height)
    {
        width = height = 0;
        using var codec = SKCodec.Create(path);
        if (codec is null)
        {
            return null;
        }
        using var decoded = SKBitmap.Decode(codec);
        if (decoded is null)
        {
            return null;
        }
        using var upright = Orient(decoded, codec.EncodedOrigin);
        width = upright.Width;
        height = upright.Height;
        // Keep transparency where the source may have it; photographs become JPEG.
        var lossless = codec.EncodedFormat is SKEncodedImageFormat.Png or SKEncodedImageFormat.Gif;
        using var image = SKImage.FromBitmap(upright);
        using var data = lossless ? image.Encode(SKEncodedImageFormat.Png, 100) : image.Encode(SKEncodedImageFormat.Jpeg, 88);
        return data is null ? null : (data.ToArray(), lossless ? "image/png" : "image/jpeg", lossless ? ".png" : ".jpg");
    }

    private static SKBitmap Orient(SKBitmap source, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft)
        {
            return source.Copy();
        }
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var result = new SKBitmap(swap ? source.Height : source.Width, swap ? source.Width : source.Height);
        using var canvas = new SKCanvas(result);
        switch (origin)
        {
            case SKEncodedOrigin.TopRight: canvas.Scale(-1, 1, source.Width / 2f, 0); break;
            case SKEncodedOrigin.BottomRight: canvas.RotateDegrees(180, source.Width / 2f, source.Height / 2f); break;
            case SKEncodedOrigin.BottomLeft: canvas.Scale(1, -1, 0, source.Height / 2f); break;
            case SKEncodedOrigin.RightTop: canvas.Translate(result.Width, 0); canvas.RotateDegrees(90); break;
            case SKEncodedOrigin.LeftBottom: canvas.Translate(0, result.Height); canvas.RotateDegrees(270); break;
            case SKEncodedOrigin.LeftTop: canvas.Translate(0, 0); canvas.RotateDegrees(90); canvas.Scale(1, -1); break;
            case SKEncodedOrigin.RightBottom: canvas.Translate(result.Width, result.Height); canvas.RotateDegrees(270); canvas.Scale(1, -1, 0, 0); break;
        }
        canvas.DrawBitmap(source, 0, 0);
        return result;
    }
}
