using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Drawbridge.Tests.Infrastructure;
using SkiaSharp;

namespace Drawbridge.Tests;

public sealed class MediaTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    /// <summary>A real JPEG with an EXIF block (camera make and GPS position) spliced in after the start marker.</summary>
    private static byte[] JpegWithExif()
    {
        using var bitmap = new SKBitmap(40, 30);
        bitmap.Erase(SKColors.CornflowerBlue);
        using var image = SKImage.FromBitmap(bitmap);
        var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 90).ToArray();
        // TIFF header (little endian) with one IFD entry: Make = "SECRETCAM", plus a GPS marker string.
        var payload = new List<byte>();
        payload.AddRange("Exif\0\0"u8.ToArray());
        payload.AddRange(new byte[] { 0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00 });
        payload.AddRange(new byte[] { 0x01, 0x00, 0x0F, 0x01, 0x02, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x1A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 });
        payload.AddRange("SECRETCAM\0GPS 51.5074N 0.1278W\0"u8.ToArray());
        var length = payload.Count + 2;
        var segment = new List<byte> { 0xFF, 0xE1, (byte)(length >> 8), (byte)(length & 0xFF) };
        segment.AddRange(payload);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    private static MultipartFormDataContent Form(byte[] bytes, string name, string type, string? alt)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(type);
        form.Add(file, "file", name);
        if (alt is not null)
        {
            form.Add(new StringContent(alt), "altText");
        }
        return form;
    }

    [Fact]
    public async Task Uploaded_photos_lose_their_exif_and_gps_metadata()
    {
        var original = JpegWithExif();
        Assert.Contains("SECRETCAM", System.Text.Encoding.Latin1.GetString(original), StringComparison.Ordinal);
        var user = await server.SignUpAsync("photographer");
        using var h = server.Http(user.Token);
        var response = await h.PostAsync("/api/drawbridge/v1/media", Form(original, "ward.jpg", "image/jpeg", "Our ward's new garden"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var media = await response.ReadJsonAsync();
        Assert.Equal(40, media.GetProperty("width").GetInt32());
        var stored = await h.GetByteArrayAsync(media.Str("url"));
        var text = System.Text.Encoding.Latin1.GetString(stored);
        Assert.DoesNotContain("SECRETCAM", text, StringComparison.Ordinal);
        Assert.DoesNotContain("GPS", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exif", text, StringComparison.Ordinal);
        using var decoded = SKBitmap.Decode(stored);
        Assert.Equal(30, decoded.Height);

        var post = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "New garden", mediaIds = new[] { media.Str("id") } });
        Assert.Equal("Our ward's new garden", post.GetProperty("media")[0].Str("altText"));
    }

    [Fact]
    public async Task An_image_without_alt_text_is_refused()
    {
        var user = await server.SignUpAsync("noalt");
        var response = await server.Http(user.Token).PostAsync("/api/drawbridge/v1/media", Form(JpegWithExif(), "x.jpg", "image/jpeg", null));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("alt text", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_that_are_not_images_or_episodes_are_refused_whatever_they_claim()
    {
        var user = await server.SignUpAsync("faker");
        using var h = server.Http(user.Token);
        var html = await h.PostAsync("/api/drawbridge/v1/media", Form("<html><script>alert(1)</script></html>"u8.ToArray(), "cat.jpg", "image/jpeg", "A cat"));
        Assert.Equal(HttpStatusCode.BadRequest, html.StatusCode);
        Assert.Contains("must be a JPG, PNG", await html.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var broken = await h.PostAsync("/api/drawbridge/v1/media", Form([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "broken.jpg", "image/jpeg", "Broken"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        var empty = await h.PostAsync("/api/drawbridge/v1/media", Form([], "empty.mp3", "audio/mpeg", null));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task An_episode_upload_becomes_an_article_enclosure()
    {
        var user = await server.SignUpAsync("episodes", "professional");
        using var h = server.Http(user.Token);
        var mp3 = new byte[4096];
        "ID3"u8.CopyTo(mp3);
        var response = await h.PostAsync("/api/drawbridge/v1/media", Form(mp3, "ep.mp3", "audio/mpeg", null));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var media = await response.ReadJsonAsync();
        Assert.Equal("audio/mpeg", media.Str("contentType"));
        var post = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Episode", text = "Notes", enclosureMediaId = media.Str("id") });
        Assert.Equal(4096, post.GetProperty("enclosure").GetProperty("length").GetInt64());
        var note = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "A note can't carry it", enclosureMediaId = media.Str("id") });
        Assert.Equal(HttpStatusCode.BadRequest, note.StatusCode);
    }
}
