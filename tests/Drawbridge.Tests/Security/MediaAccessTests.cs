using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Tests.Infrastructure;
using SkiaSharp;

namespace Drawbridge.Tests.Security;

/// <summary>
/// <c>GET /media/{id}</c> sends a file only to those who may see what it is attached to: an upload not yet in a post
/// is its owner's, a draft's files are the author's, a followers-only post's are for followers, and a deleted
/// account's files are gone.
/// </summary>
public sealed class MediaAccessTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    internal static MultipartFormDataContent ImageForm(string alt, int width = 24, int height = 16)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.SeaGreen);
        using var image = SKImage.FromBitmap(bitmap);
        var file = new ByteArrayContent(image.Encode(SKEncodedImageFormat.Png, 100).ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { file, "file", "picture.png" }, { new StringContent(alt), "altText" } };
    }

    private static async Task<JsonElement> UploadAsync(HttpClient owner)
    {
        using var response = await owner.PostAsync(OwnApi.Path("/media"), ImageForm("A green square"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private async Task<HttpStatusCode> StatusFor(string url, string? token = null)
    {
        using var http = server.Http(token);
        using var response = await http.GetAsync(url);
        return response.StatusCode;
    }

    private Task<TestUser> NewUser(string prefix) => server.SignUpAsync($"{prefix}_{Guid.NewGuid():N}"[..16]);

    [Fact]
    public async Task An_upload_not_yet_in_a_post_is_only_for_its_owner()
    {
        var owner = await NewUser("upl");
        var other = await NewUser("oth");
        using var h = server.Http(owner.Token);
        var media = await UploadAsync(h);
        Assert.Equal(HttpStatusCode.OK, await StatusFor(media.Str("url"), owner.Token));
        Assert.Equal(HttpStatusCode.NotFound, await StatusFor(media.Str("url")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusFor(media.Str("url"), other.Token));
    }

    [Fact]
    public async Task A_drafts_image_is_for_its_author_until_the_post_is_published()
    {
        var author = await NewUser("dra");
        var other = await NewUser("oth");
        using var h = server.Http(author.Token);
        var media = await UploadAsync(h);
        var draft = await h.PostJsonAsync(OwnApi.Path("/posts"), new { text = "Not ready yet", draft = true, mediaIds = new[] { media.Str("id") } });
        Assert.Equal(HttpStatusCode.NotFound, await StatusFor(media.Str("url")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusFor(media.Str("url"), other.Token));
        Assert.Equal(HttpStatusCode.OK, await StatusFor(media.Str("url"), author.Token));

        await h.PostJsonAsync(OwnApi.Path($"/posts/{draft.Str("id")}/publish"), new { });
        using var anonymous = server.Http();
        using var published = await anonymous.GetAsync(media.Str("url"));
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.True(published.Headers.CacheControl?.Public, "a public post's image may be cached by anyone");
    }

    [Fact]
    public async Task A_followers_only_posts_image_is_for_followers_and_never_cached_publicly()
    {
        var author = await NewUser("fol");
        var follower = await NewUser("fan");
        var stranger = await NewUser("str");
        await server.Http(follower.Token).PostJsonAsync(OwnApi.Path($"/accounts/{author.Id}/follow"));
        using var h = server.Http(author.Token);
        var media = await UploadAsync(h);
        await h.PostJsonAsync(OwnApi.Path("/posts"), new { text = "Just for you", visibility = "followers", mediaIds = new[] { media.Str("id") } });

        Assert.Equal(HttpStatusCode.NotFound, await StatusFor(media.Str("url")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusFor(media.Str("url"), stranger.Token));
        using var fan = server.Http(follower.Token);
        using var seen = await fan.GetAsync(media.Str("url"));
        Assert.Equal(HttpStatusCode.OK, seen.StatusCode);
        Assert.True(seen.Headers.CacheControl?.Private, "a followers-only image must not sit in a shared cache");
    }

    [Fact]
    public async Task A_deleted_accounts_files_are_gone_at_once()
    {
        var author = await NewUser("gon");
        using var h = server.Http(author.Token);
        var media = await UploadAsync(h);
        await h.PostJsonAsync(OwnApi.Path("/posts"), new { text = "Here for now", mediaIds = new[] { media.Str("id") } });
        Assert.Equal(HttpStatusCode.OK, await StatusFor(media.Str("url")));

        using var delete = await h.SendAsync(new HttpRequestMessage(HttpMethod.Delete, OwnApi.Path("/me")) { Content = JsonContent.Create(new { password = DrawbridgeServer.DefaultPassword }) });
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await StatusFor(media.Str("url")));
    }

    [Fact]
    public async Task A_published_episodes_file_is_public()
    {
        var author = await server.SignUpAsync($"epi_{Guid.NewGuid():N}"[..16], "professional");
        using var h = server.Http(author.Token);
        var mp3 = new byte[2048];
        "ID3"u8.CopyTo(mp3);
        var file = new ByteArrayContent(mp3);
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/mpeg");
        using var uploaded = await h.PostAsync(OwnApi.Path("/media"), new MultipartFormDataContent { { file, "file", "ep.mp3" } });
        var media = await uploaded.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.NotFound, await StatusFor(media.Str("url")));
        await h.PostJsonAsync(OwnApi.Path("/posts"), new { kind = "article", title = "Episode one", text = "Show notes", enclosureMediaId = media.Str("id") });
        Assert.Equal(HttpStatusCode.OK, await StatusFor(media.Str("url")));
    }
}
