using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Drawbridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace Drawbridge.Tests.Mastodon;

/// <summary>
/// What Mastodon's apps do after start-up, through a real server: media, edits, bookmarks and pins, the reader's
/// collections, lists, followed tags, filters, profile changes and search, each answer checked against the community
/// OpenAPI description of Mastodon's API, and who may do each.
/// </summary>
public abstract class MastodonClientApiTests<TServer>(TServer server) : IClassFixture<TServer> where TServer : DrawbridgeServer
{
    /// <summary>A token for this person with exactly these scopes, as an app would get it.</summary>
    private async Task<string> TokenAsync(TestUser user, string scopes, string? clientId = null)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var tokens = scope.ServiceProvider.GetRequiredService<AccessTokenService>();
        return await tokens.IssueAsync(await users.FindByEmailAsync(user.Email), "test app", scopes, clientId, CancellationToken.None);
    }

    private static async Task<JsonElement> Ok(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A refusal in Mastodon's words: the status, application/json, and {"error": "…"}.</summary>
    private static async Task<string> Refused(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {response.RequestMessage?.RequestUri}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        MastodonSchema.AssertValid(json, "Error");
        return json.GetProperty("error").GetString()!;
    }

    private static async Task<JsonElement> PostStatus(HttpClient http, object body) => await Ok(await http.PostAsJsonAsync("/api/v1/statuses", body));

    private static byte[] Png(int width = 40, int height = 30)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.CornflowerBlue);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A tiny valid WAV file: a second of silence.</summary>
    private static byte[] Wav()
    {
        var samples = new byte[8000];
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8); w.Write(36 + samples.Length); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(8000); w.Write(8000); w.Write((short)1); w.Write((short)8);
        w.Write("data"u8); w.Write(samples.Length); w.Write(samples);
        w.Flush();
        return ms.ToArray();
    }

    private static MultipartFormDataContent File(byte[] bytes, string name, string type, string field = "file", string? description = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(type);
        form.Add(file, field, name);
        if (description is not null)
        {
            form.Add(new StringContent(description), "description");
        }
        return form;
    }

    private static string? Next(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Link", out var links) && Regex.Match(links.Single(), "<([^>]+)>; rel=\"next\"") is { Success: true } m ? m.Groups[1].Value : null;

    [Fact]
    public async Task Media_is_uploaded_described_and_attached_and_v2_answers_202_for_audio_until_fetched()
    {
        var nurse = await server.SignUpAsync("media_nurse", "professional");
        var other = await server.SignUpAsync("media_other");
        using var http = server.Http(nurse.Token);
        using var stranger = server.Http(other.Token);

        // v1: stored at once; the app describes it afterwards.
        var image = await Ok(await http.PostAsync("/api/v1/media", File(Png(), "ward.png", "image/png")));
        MastodonSchema.AssertValid(image, "MediaAttachment");
        Assert.Equal("image", image.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, image.GetProperty("description").ValueKind);
        Assert.Equal(40, image.GetProperty("meta").GetProperty("original").GetProperty("width").GetInt32());
        var imageId = image.GetProperty("id").GetString()!;

        // Not public without a description.
        var undescribed = await Refused(await http.PostAsJsonAsync("/api/v1/statuses", new { status = "Our new ward", media_ids = new[] { imageId } }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("description", undescribed, StringComparison.Ordinal);
        var described = await Ok(await http.PutAsJsonAsync($"/api/v1/media/{imageId}", new { description = "A blue square", focus = "0.1,-0.2" }));
        Assert.Equal("A blue square", described.GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PutAsJsonAsync($"/api/v1/media/{imageId}", new { description = "mine now" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/media/{imageId}")).StatusCode);
        var badFocus = await Refused(await http.PutAsJsonAsync($"/api/v1/media/{imageId}", new { focus = "3,4" }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("focus", badFocus, StringComparison.Ordinal);

        var status = await PostStatus(http, new { status = "Our new ward", media_ids = new[] { imageId } });
        MastodonSchema.AssertValid(status, "Status");
        var attached = status.GetProperty("media_attachments")[0];
        Assert.Equal(imageId, attached.GetProperty("id").GetString());
        Assert.Equal("A blue square", attached.GetProperty("description").GetString());
        var file = await server.Http().GetAsync(attached.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);

        // v2: audio is accepted with 202 and no URL yet; the app fetches it by id until the URL is there.
        var audio = await Ok(await http.PostAsync("/api/v2/media", File(Wav(), "handover.wav", "audio/wav")), HttpStatusCode.Accepted);
        MastodonSchema.AssertValid(audio, "MediaAttachment");
        Assert.Equal("audio", audio.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, audio.GetProperty("url").ValueKind);
        var ready = await Ok(await http.GetAsync($"/api/v1/media/{audio.GetProperty("id").GetString()}"));
        Assert.StartsWith(server.BaseAddress.ToString().TrimEnd('/'), ready.GetProperty("url").GetString(), StringComparison.Ordinal);
        var v2Image = await Ok(await http.PostAsync("/api/v2/media", File(Png(), "b.png", "image/png", description: "Another square")));
        Assert.Equal("Another square", v2Image.GetProperty("description").GetString());

        // Too big, no file, not a picture or sound: 422 with the reason.
        var huge = new byte[11 * 1024 * 1024];
        Png().CopyTo(huge, 0);
        var tooBig = await Refused(await http.PostAsync("/api/v1/media", File(huge, "huge.png", "image/png")), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("10 MB", tooBig, StringComparison.Ordinal);
        await Refused(await http.PostAsync("/api/v1/media", new MultipartFormDataContent { { new StringContent("x"), "description" } }), HttpStatusCode.UnprocessableEntity);
        await Refused(await http.PostAsync("/api/v1/media", File(Encoding.UTF8.GetBytes("just some text, not a picture"), "a.png", "image/png")), HttpStatusCode.UnprocessableEntity);

        // Uploading needs write:media.
        using var readOnly = server.Http(await TokenAsync(nurse, "read"));
        await Refused(await readOnly.PostAsync("/api/v1/media", File(Png(), "c.png", "image/png")), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Statuses_are_edited_with_history_and_source_bookmarked_pinned_and_show_who_favourited_and_reblogged()
    {
        var author = await server.SignUpAsync("edit_author", "professional");
        var reader = await server.SignUpAsync("edit_reader");
        using var a = server.Http(author.Token);
        using var r = server.Http(reader.Token);

        var status = await PostStatus(a, new { status = "Clinic opens at 9" });
        var id = status.GetProperty("id").GetString()!;
        var edited = await Ok(await a.PutAsJsonAsync($"/api/v1/statuses/{id}", new { status = "Clinic opens at 10 #update" }));
        MastodonSchema.AssertValid(edited, "Status");
        Assert.Contains("Clinic opens at 10", edited.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, edited.GetProperty("edited_at").ValueKind);
        Assert.Equal("update", edited.GetProperty("tags")[0].GetProperty("name").GetString());
        await Refused(await r.PutAsJsonAsync($"/api/v1/statuses/{id}", new { status = "hijacked" }), HttpStatusCode.Forbidden);
        await Refused(await a.PutAsJsonAsync($"/api/v1/statuses/{id}", new { status = "" }), HttpStatusCode.UnprocessableEntity);

        var history = await Ok(await r.GetAsync($"/api/v1/statuses/{id}/history"));
        MastodonSchema.AssertEachValid(history, "StatusEdit");
        Assert.Equal(2, history.GetArrayLength());
        Assert.Contains("at 9", history[0].GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Contains("at 10", history[1].GetProperty("content").GetString(), StringComparison.Ordinal);
        var source = await Ok(await a.GetAsync($"/api/v1/statuses/{id}/source"));
        MastodonSchema.AssertValid(source, "StatusSource");
        Assert.Equal("Clinic opens at 10 #update", source.GetProperty("text").GetString());
        await Refused(await r.GetAsync($"/api/v1/statuses/{id}/source"), HttpStatusCode.Forbidden);

        // Bookmarks are the reader's own.
        var bookmarked = await Ok(await r.PostAsync($"/api/v1/statuses/{id}/bookmark", null));
        Assert.True(bookmarked.GetProperty("bookmarked").GetBoolean());
        Assert.True((await Ok(await r.GetAsync($"/api/v1/statuses/{id}"))).GetProperty("bookmarked").GetBoolean());
        Assert.False((await Ok(await a.GetAsync($"/api/v1/statuses/{id}"))).GetProperty("bookmarked").GetBoolean());
        var bookmarks = await Ok(await r.GetAsync("/api/v1/bookmarks"));
        MastodonSchema.AssertEachValid(bookmarks, "Status");
        Assert.Equal([id], bookmarks.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(0, (await Ok(await a.GetAsync("/api/v1/bookmarks"))).GetArrayLength());
        Assert.False((await Ok(await r.PostAsync($"/api/v1/statuses/{id}/unbookmark", null))).GetProperty("bookmarked").GetBoolean());
        Assert.Equal(0, (await Ok(await r.GetAsync("/api/v1/bookmarks"))).GetArrayLength());

        // Pins: only one's own posts; they come first on the profile with pinned=true.
        Assert.True((await Ok(await a.PostAsync($"/api/v1/statuses/{id}/pin", null))).GetProperty("pinned").GetBoolean());
        await Refused(await r.PostAsync($"/api/v1/statuses/{id}/pin", null), HttpStatusCode.UnprocessableEntity);
        await PostStatus(a, new { status = "Something later" });
        var pinned = await Ok(await r.GetAsync($"/api/v1/accounts/{author.Id}/statuses?pinned=true"));
        Assert.Equal([id], pinned.EnumerateArray().Select(s => s.GetProperty("id").GetString()));

        // Who favourited and who reblogged.
        await Ok(await r.PostAsync($"/api/v1/statuses/{id}/favourite", null));
        await Ok(await r.PostAsync($"/api/v1/statuses/{id}/reblog", null));
        var favouritedBy = await Ok(await a.GetAsync($"/api/v1/statuses/{id}/favourited_by"));
        MastodonSchema.AssertEachValid(favouritedBy, "Account");
        Assert.Equal([reader.Id], favouritedBy.EnumerateArray().Select(x => x.GetProperty("id").GetString()));
        var rebloggedBy = await Ok(await server.Http().GetAsync($"/api/v1/statuses/{id}/reblogged_by"));
        Assert.Equal([reader.Id], rebloggedBy.EnumerateArray().Select(x => x.GetProperty("id").GetString()));
        var favourites = await Ok(await r.GetAsync("/api/v1/favourites"));
        Assert.Equal([id], favourites.EnumerateArray().Select(s => s.GetProperty("id").GetString()));

        // Profile filters: without reblogs, only with a tag.
        var readerStatuses = await Ok(await a.GetAsync($"/api/v1/accounts/{reader.Id}/statuses"));
        Assert.NotEqual(JsonValueKind.Null, readerStatuses[0].GetProperty("reblog").ValueKind);
        Assert.Equal(0, (await Ok(await a.GetAsync($"/api/v1/accounts/{reader.Id}/statuses?exclude_reblogs=true"))).GetArrayLength());
        var tagged = await Ok(await r.GetAsync($"/api/v1/accounts/{author.Id}/statuses?tagged=update"));
        Assert.Equal([id], tagged.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(0, (await Ok(await r.GetAsync($"/api/v1/accounts/{author.Id}/statuses?only_media=true"))).GetArrayLength());

        // Bookmarking needs write:bookmarks; reading them read:bookmarks.
        using var readOnly = server.Http(await TokenAsync(reader, "read"));
        Assert.Equal("This action is outside the authorized scopes", await Refused(await readOnly.PostAsync($"/api/v1/statuses/{id}/bookmark", null), HttpStatusCode.Forbidden));
        using var statusesOnly = server.Http(await TokenAsync(reader, "read:statuses"));
        await Refused(await statusesOnly.GetAsync("/api/v1/bookmarks"), HttpStatusCode.Forbidden);
        await Refused(await server.Http().GetAsync("/api/v1/favourites"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Followers_blocks_mutes_notes_and_follow_requests_of_a_locked_account()
    {
        var host = await server.SignUpAsync("rel_host", "professional");
        var fans = new List<TestUser>();
        for (var i = 0; i < 3; i++)
        {
            fans.Add(await server.SignUpAsync($"rel_fan{i}"));
        }
        using var h = server.Http(host.Token);
        foreach (var fan in fans)
        {
            using var f = server.Http(fan.Token);
            await Ok(await f.PostAsync($"/api/v1/accounts/{host.Id}/follow", null));
        }

        // Followers two at a time, following the Link header.
        var seen = new List<string>();
        var next = $"/api/v1/accounts/{host.Id}/followers?limit=2";
        for (var pages = 0; next is not null && pages < 5; pages++)
        {
            var response = await server.Http().GetAsync(next);
            var page = await Ok(response);
            MastodonSchema.AssertEachValid(page, "Account");
            seen.AddRange(page.EnumerateArray().Select(x => x.GetProperty("id").GetString()!));
            next = page.GetArrayLength() > 0 ? Next(response) : null;
        }
        Assert.Equal(fans.Select(f => f.Id).Order(), seen.Order());
        var following = await Ok(await h.GetAsync($"/api/v1/accounts/{fans[0].Id}/following"));
        Assert.Equal([host.Id], following.EnumerateArray().Select(x => x.GetProperty("id").GetString()));

        // Block, mute and a private note.
        var blocked = await Ok(await h.PostAsync($"/api/v1/accounts/{fans[0].Id}/block", null));
        MastodonSchema.AssertValid(blocked, "Relationship");
        Assert.True(blocked.GetProperty("blocking").GetBoolean());
        Assert.Equal([fans[0].Id], (await Ok(await h.GetAsync("/api/v1/blocks"))).EnumerateArray().Select(x => x.GetProperty("id").GetString()));
        Assert.True((await Ok(await h.PostAsync($"/api/v1/accounts/{fans[1].Id}/mute", null))).GetProperty("muting").GetBoolean());
        Assert.Equal([fans[1].Id], (await Ok(await h.GetAsync("/api/v1/mutes"))).EnumerateArray().Select(x => x.GetProperty("id").GetString()));
        var noted = await Ok(await h.PostAsJsonAsync($"/api/v1/accounts/{fans[2].Id}/note", new { comment = "Asked about flu jabs" }));
        Assert.Equal("Asked about flu jabs", noted.GetProperty("note").GetString());
        var rel = await Ok(await h.GetAsync($"/api/v1/accounts/relationships?id[]={fans[2].Id}"));
        Assert.Equal("Asked about flu jabs", rel[0].GetProperty("note").GetString());
        using var third = server.Http(fans[2].Token);
        Assert.Equal("", (await Ok(await third.GetAsync($"/api/v1/accounts/relationships?id[]={host.Id}")))[0].GetProperty("note").GetString());
        Assert.False((await Ok(await h.PostAsync($"/api/v1/accounts/{fans[0].Id}/unblock", null))).GetProperty("blocking").GetBoolean());
        Assert.False((await Ok(await h.PostAsync($"/api/v1/accounts/{fans[1].Id}/unmute", null))).GetProperty("muting").GetBoolean());
        Assert.Equal(0, (await Ok(await h.GetAsync("/api/v1/blocks"))).GetArrayLength());

        // A locked account: a follow is a request, seen in follow_requests and authorised or rejected there.
        var locked = await Ok(await h.PatchAsync("/api/v1/accounts/update_credentials", new FormUrlEncodedContent(new Dictionary<string, string> { ["locked"] = "true" })));
        Assert.True(locked.GetProperty("locked").GetBoolean());
        var asker = await server.SignUpAsync("rel_asker");
        var other = await server.SignUpAsync("rel_other");
        using var ask = server.Http(asker.Token);
        using var oth = server.Http(other.Token);
        Assert.True((await Ok(await ask.PostAsync($"/api/v1/accounts/{host.Id}/follow", null))).GetProperty("requested").GetBoolean());
        await Ok(await oth.PostAsync($"/api/v1/accounts/{host.Id}/follow", null));
        var requests = await Ok(await h.GetAsync("/api/v1/follow_requests"));
        MastodonSchema.AssertEachValid(requests, "Account");
        Assert.Equal(new[] { asker.Id, other.Id }.Order(), requests.EnumerateArray().Select(x => x.GetProperty("id").GetString()!).Order());
        Assert.Equal(2, (await Ok(await h.GetAsync("/api/v1/accounts/verify_credentials"))).GetProperty("source").GetProperty("follow_requests_count").GetInt32());
        var accepted = await Ok(await h.PostAsync($"/api/v1/follow_requests/{asker.Id}/authorize", null));
        MastodonSchema.AssertValid(accepted, "Relationship");
        Assert.True(accepted.GetProperty("followed_by").GetBoolean());
        Assert.False((await Ok(await h.PostAsync($"/api/v1/follow_requests/{other.Id}/reject", null))).GetProperty("requested_by").GetBoolean());
        Assert.Equal(0, (await Ok(await h.GetAsync("/api/v1/follow_requests"))).GetArrayLength());
        await Refused(await h.PostAsync($"/api/v1/follow_requests/{other.Id}/authorize", null), HttpStatusCode.NotFound);
        Assert.True((await Ok(await ask.GetAsync($"/api/v1/accounts/relationships?id[]={host.Id}")))[0].GetProperty("following").GetBoolean());

        // Blocks need read:blocks (or follow); a follow-only token may read them.
        using var followOnly = server.Http(await TokenAsync(host, "follow"));
        await Ok(await followOnly.GetAsync("/api/v1/blocks"));
        using var statusesOnly = server.Http(await TokenAsync(host, "read:statuses"));
        await Refused(await statusesOnly.GetAsync("/api/v1/follow_requests"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Update_credentials_takes_a_multipart_profile_with_avatar_and_header_and_refuses_bad_fields_whole()
    {
        var nurse = await server.SignUpAsync("cred_nurse", "professional");
        using var http = server.Http(nurse.Token);
        var form = File(Png(64, 64), "me.png", "image/png", "avatar");
        var header = new ByteArrayContent(Png(300, 100));
        header.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(header, "header", "header.png");
        form.Add(new StringContent("Sister Ada"), "display_name");
        form.Add(new StringContent("Night shifts on ward 7"), "note");
        form.Add(new StringContent("Trust"), "fields_attributes[0][name]");
        form.Add(new StringContent("https://trust.example"), "fields_attributes[0][value]");
        var me = await Ok(await http.PatchAsync("/api/v1/accounts/update_credentials", form));
        MastodonSchema.AssertValid(me, "CredentialAccount");
        Assert.Equal("Sister Ada", me.GetProperty("display_name").GetString());
        Assert.Contains("Night shifts on ward 7", me.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Equal("Night shifts on ward 7", me.GetProperty("source").GetProperty("note").GetString());
        Assert.Equal("Trust", me.GetProperty("fields")[0].GetProperty("name").GetString());
        var avatar = me.GetProperty("avatar").GetString()!;
        var headerUrl = me.GetProperty("header").GetString()!;
        Assert.Contains("/media/", avatar, StringComparison.Ordinal);
        Assert.Contains("/media/", headerUrl, StringComparison.Ordinal);
        // Anyone may see a profile's pictures.
        Assert.Equal(HttpStatusCode.OK, (await server.Http().GetAsync(avatar)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http().GetAsync(headerUrl)).StatusCode);

        // JSON works too; a field that isn't a web address refuses the whole change.
        var bad = await Refused(await http.PatchAsJsonAsync("/api/v1/accounts/update_credentials",
            new { display_name = "Changed", fields_attributes = new[] { new { name = "Pronouns", value = "she/her" } } }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("web address", bad, StringComparison.Ordinal);
        Assert.Equal("Sister Ada", (await Ok(await http.GetAsync("/api/v1/accounts/verify_credentials"))).GetProperty("display_name").GetString());
        var notPicture = File(Encoding.UTF8.GetBytes("%PDF-1.4 not a picture at all"), "a.png", "image/png", "avatar");
        await Refused(await http.PatchAsync("/api/v1/accounts/update_credentials", notPicture), HttpStatusCode.UnprocessableEntity);

        using var readOnly = server.Http(await TokenAsync(nurse, "read write:statuses"));
        await Refused(await readOnly.PatchAsJsonAsync("/api/v1/accounts/update_credentials", new { display_name = "x" }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Lists_are_made_filled_and_read_as_a_timeline_by_their_owner_alone()
    {
        var owner = await server.SignUpAsync("list_owner");
        var nurse = await server.SignUpAsync("list_nurse", "professional");
        var medic = await server.SignUpAsync("list_medic", "professional");
        var stranger = await server.SignUpAsync("list_stranger");
        using var o = server.Http(owner.Token);
        using var n = server.Http(nurse.Token);
        using var m = server.Http(medic.Token);
        using var s = server.Http(stranger.Token);
        await Ok(await o.PostAsync($"/api/v1/accounts/{nurse.Id}/follow", null));
        await Ok(await o.PostAsync($"/api/v1/accounts/{medic.Id}/follow", null));

        var list = await Ok(await o.PostAsJsonAsync("/api/v1/lists", new { title = "Ward 7", replies_policy = "list" }));
        MastodonSchema.AssertValid(list, "List");
        var listId = list.GetProperty("id").GetString()!;
        Assert.Equal("list", list.GetProperty("replies_policy").GetString());
        await Refused(await o.PostAsJsonAsync("/api/v1/lists", new { title = "" }), HttpStatusCode.UnprocessableEntity);
        await Refused(await o.PostAsJsonAsync("/api/v1/lists", new { title = "x", replies_policy = "everyone" }), HttpStatusCode.UnprocessableEntity);

        Assert.Equal("{}", await (await o.PostAsync($"/api/v1/lists/{listId}/accounts",
            new FormUrlEncodedContent([new("account_ids[]", nurse.Id)]))).Content.ReadAsStringAsync());
        var notFollowed = await Refused(await o.PostAsJsonAsync($"/api/v1/lists/{listId}/accounts", new { account_ids = new[] { stranger.Id } }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("follow", notFollowed, StringComparison.Ordinal);
        var members = await Ok(await o.GetAsync($"/api/v1/lists/{listId}/accounts?limit=0"));
        Assert.Equal([nurse.Id], members.EnumerateArray().Select(x => x.GetProperty("id").GetString()));
        Assert.Equal([listId], (await Ok(await o.GetAsync($"/api/v1/accounts/{nurse.Id}/lists"))).EnumerateArray().Select(x => x.GetProperty("id").GetString()));

        var fromNurse = await PostStatus(n, new { status = "From the nurse" });
        await PostStatus(m, new { status = "From the medic" });
        var timeline = await Ok(await o.GetAsync($"/api/v1/timelines/list/{listId}"));
        MastodonSchema.AssertEachValid(timeline, "Status");
        Assert.Equal([fromNurse.GetProperty("id").GetString()], timeline.EnumerateArray().Select(x => x.GetProperty("id").GetString()));

        var renamed = await Ok(await o.PutAsJsonAsync($"/api/v1/lists/{listId}", new { title = "Ward seven", exclusive = true }));
        Assert.Equal("Ward seven", renamed.GetProperty("title").GetString());
        Assert.True(renamed.GetProperty("exclusive").GetBoolean());
        var all = await Ok(await o.GetAsync("/api/v1/lists"));
        MastodonSchema.AssertEachValid(all, "List");
        Assert.Single(all.EnumerateArray());

        // Someone else's list doesn't exist for them.
        await Refused(await s.GetAsync($"/api/v1/lists/{listId}"), HttpStatusCode.NotFound);
        await Refused(await s.GetAsync($"/api/v1/timelines/list/{listId}"), HttpStatusCode.NotFound);
        await Refused(await s.DeleteAsync($"/api/v1/lists/{listId}"), HttpStatusCode.NotFound);
        Assert.Equal(0, (await Ok(await s.GetAsync("/api/v1/lists"))).GetArrayLength());

        using var removeRequest = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/lists/{listId}/accounts?account_ids[]={nurse.Id}");
        await Ok(await o.SendAsync(removeRequest));
        Assert.Equal(0, (await Ok(await o.GetAsync($"/api/v1/lists/{listId}/accounts"))).GetArrayLength());
        Assert.Equal("{}", await (await o.DeleteAsync($"/api/v1/lists/{listId}")).Content.ReadAsStringAsync());
        await Refused(await o.GetAsync($"/api/v1/lists/{listId}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Filters_warn_or_hide_matching_statuses_in_their_contexts()
    {
        var reader = await server.SignUpAsync("filter_reader");
        var author = await server.SignUpAsync("filter_author", "professional");
        using var r = server.Http(reader.Token);
        using var a = server.Http(author.Token);
        await Ok(await r.PostAsync($"/api/v1/accounts/{author.Id}/follow", null));
        var spoiler = await PostStatus(a, new { status = "The match result was a spoiler" });
        var gore = await PostStatus(a, new { status = "Graphic surgery photos today" });
        var plain = await PostStatus(a, new { status = "Nothing to see here" });
        await server.DrainJobsAsync();

        var warn = await Ok(await r.PostAsJsonAsync("/api/v2/filters", new
        {
            title = "Sport", context = new[] { "home", "public" }, filter_action = "warn",
            keywords_attributes = new[] { new { keyword = "match result", whole_word = true } },
        }));
        MastodonSchema.AssertValid(warn, "Filter");
        Assert.Equal("warn", warn.GetProperty("filter_action").GetString());
        Assert.Equal("match result", warn.GetProperty("keywords")[0].GetProperty("keyword").GetString());
        // A form body as Rails reads it, with an expiry.
        var hide = await Ok(await r.PostAsync("/api/v2/filters", new FormUrlEncodedContent(
        [
            new("title", "Gore"), new("context[]", "home"), new("filter_action", "hide"), new("expires_in", "86400"),
            new("keywords_attributes[][keyword]", "surgery"), new("keywords_attributes[][whole_word]", "false"),
        ])));
        Assert.Equal("hide", hide.GetProperty("filter_action").GetString());
        Assert.NotEqual(JsonValueKind.Null, hide.GetProperty("expires_at").ValueKind);

        var home = await Ok(await r.GetAsync("/api/v1/timelines/home"));
        MastodonSchema.AssertEachValid(home, "Status");
        var ids = home.EnumerateArray().Select(x => x.GetProperty("id").GetString()).ToList();
        Assert.DoesNotContain(gore.GetProperty("id").GetString(), ids);
        Assert.Contains(plain.GetProperty("id").GetString(), ids);
        var warned = home.EnumerateArray().Single(x => x.GetProperty("id").GetString() == spoiler.GetProperty("id").GetString());
        var result = warned.GetProperty("filtered")[0];
        MastodonSchema.AssertValid(result, "FilterResult");
        Assert.Equal("Sport", result.GetProperty("filter").GetProperty("title").GetString());
        Assert.Equal("match result", result.GetProperty("keyword_matches")[0].GetString());
        Assert.Equal(0, home.EnumerateArray().Single(x => x.GetProperty("id").GetString() == plain.GetProperty("id").GetString()).GetProperty("filtered").GetArrayLength());
        // The hide filter is for home only; a status asked for by id is always shown.
        Assert.Contains(gore.GetProperty("id").GetString(), (await Ok(await r.GetAsync("/api/v1/timelines/public"))).EnumerateArray().Select(x => x.GetProperty("id").GetString()));
        await Ok(await r.GetAsync($"/api/v1/statuses/{gore.GetProperty("id").GetString()}"));

        // Keywords one by one; changes, deletion, and privacy.
        var hideId = hide.GetProperty("id").GetString()!;
        var keyword = await Ok(await r.PostAsJsonAsync($"/api/v2/filters/{hideId}/keywords", new { keyword = "wound", whole_word = true }));
        MastodonSchema.AssertValid(keyword, "FilterKeyword");
        var keywords = await Ok(await r.GetAsync($"/api/v2/filters/{hideId}/keywords"));
        Assert.Equal(2, keywords.GetArrayLength());
        await Ok(await r.DeleteAsync($"/api/v2/filters/keywords/{keyword.GetProperty("id").GetString()}"));
        Assert.Equal(1, (await Ok(await r.GetAsync($"/api/v2/filters/{hideId}/keywords"))).GetArrayLength());
        var changed = await Ok(await r.PutAsJsonAsync($"/api/v2/filters/{hideId}", new { filter_action = "warn" }));
        Assert.Equal("warn", changed.GetProperty("filter_action").GetString());
        Assert.Equal("Gore", changed.GetProperty("title").GetString());
        var filters = await Ok(await r.GetAsync("/api/v2/filters"));
        MastodonSchema.AssertEachValid(filters, "Filter");
        Assert.Equal(2, filters.GetArrayLength());
        await Refused(await a.GetAsync($"/api/v2/filters/{hideId}"), HttpStatusCode.NotFound);
        await Refused(await a.DeleteAsync($"/api/v2/filters/{hideId}"), HttpStatusCode.NotFound);
        await Refused(await r.PostAsJsonAsync("/api/v2/filters", new { title = "x", context = new[] { "everywhere" } }), HttpStatusCode.UnprocessableEntity);
        await Refused(await r.PostAsJsonAsync("/api/v2/filters", new { title = "x" }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("{}", await (await r.DeleteAsync($"/api/v2/filters/{hideId}")).Content.ReadAsStringAsync());
        Assert.Contains(gore.GetProperty("id").GetString(), (await Ok(await r.GetAsync("/api/v1/timelines/home"))).EnumerateArray().Select(x => x.GetProperty("id").GetString()));

        // Without filters the home timeline is served from shared JSON, yet each reader's marks still show.
        var plainId = plain.GetProperty("id").GetString()!;
        await Ok(await r.PostAsync($"/api/v1/statuses/{plainId}/bookmark", null));
        await Ok(await r.PostAsync($"/api/v1/statuses/{gore.GetProperty("id").GetString()}/favourite", null));
        var marked = (await Ok(await r.GetAsync("/api/v1/timelines/home"))).EnumerateArray().ToDictionary(x => x.GetProperty("id").GetString()!);
        Assert.True(marked[plainId].GetProperty("bookmarked").GetBoolean());
        Assert.False(marked[plainId].GetProperty("favourited").GetBoolean());
        Assert.True(marked[gore.GetProperty("id").GetString()!].GetProperty("favourited").GetBoolean());
        Assert.False(marked[spoiler.GetProperty("id").GetString()!].GetProperty("bookmarked").GetBoolean());
        using var authorsHome = server.Http(author.Token);
        var theirs = (await Ok(await authorsHome.GetAsync($"/api/v1/accounts/{author.Id}/statuses"))).EnumerateArray().ToDictionary(x => x.GetProperty("id").GetString()!);
        Assert.False(theirs[plainId].GetProperty("bookmarked").GetBoolean());
        await Ok(await r.PostAsync($"/api/v1/statuses/{plainId}/unbookmark", null));
        Assert.False((await Ok(await r.GetAsync("/api/v1/timelines/home"))).EnumerateArray().Single(x => x.GetProperty("id").GetString() == plainId).GetProperty("bookmarked").GetBoolean());

        using var readOnly = server.Http(await TokenAsync(reader, "read"));
        await Refused(await readOnly.PostAsJsonAsync("/api/v2/filters", new { title = "x", context = new[] { "home" } }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Home_leaves_out_members_of_an_exclusive_list_and_takes_in_followed_hashtags()
    {
        var reader = await server.SignUpAsync("excl_reader");
        var listed = await server.SignUpAsync("excl_listed", "professional");
        var followed = await server.SignUpAsync("excl_followed", "professional");
        var tagger = await server.SignUpAsync("excl_tagger", "professional");
        var blocked = await server.SignUpAsync("excl_blocked", "professional");
        using var r = server.Http(reader.Token);
        await Ok(await r.PostAsync($"/api/v1/accounts/{listed.Id}/follow", null));
        await Ok(await r.PostAsync($"/api/v1/accounts/{followed.Id}/follow", null));
        await Ok(await r.PostAsync($"/api/v1/accounts/{blocked.Id}/block", null));
        await Ok(await r.PostAsync("/api/v1/tags/ExclWardNews/follow", null));
        var listId = (await Ok(await r.PostAsJsonAsync("/api/v1/lists", new { title = "Ward", exclusive = true }))).GetProperty("id").GetString()!;
        await Ok(await r.PostAsJsonAsync($"/api/v1/lists/{listId}/accounts", new { account_ids = new[] { listed.Id } }));

        string Id(JsonElement status) => status.GetProperty("id").GetString()!;
        var inList = Id(await PostStatus(server.Http(listed.Token), new { status = "On the ward list only" }));
        var fromFollowed = Id(await PostStatus(server.Http(followed.Token), new { status = "An ordinary update" }));
        var tagged = Id(await PostStatus(server.Http(tagger.Token), new { status = "Ward news #exclwardnews" }));
        var taggedPrivately = Id(await PostStatus(server.Http(tagger.Token), new { status = "Followers only #exclwardnews", visibility = "private" }));
        var untagged = Id(await PostStatus(server.Http(tagger.Token), new { status = "Nothing for the reader" }));
        var fromBlocked = Id(await PostStatus(server.Http(blocked.Token), new { status = "Blocked news #exclwardnews" }));
        await server.DrainJobsAsync();

        var home = (await Ok(await r.GetAsync("/api/v1/timelines/home"))).EnumerateArray().Select(Id).ToList();
        Assert.Contains(fromFollowed, home);
        Assert.Contains(tagged, home);
        Assert.DoesNotContain(inList, home);
        Assert.DoesNotContain(taggedPrivately, home);
        Assert.DoesNotContain(untagged, home);
        Assert.DoesNotContain(fromBlocked, home);
        Assert.Equal([inList], (await Ok(await r.GetAsync($"/api/v1/timelines/list/{listId}"))).EnumerateArray().Select(Id));

        // The list made ordinary again: the member's next post reaches home as well as the list.
        await Ok(await r.PutAsJsonAsync($"/api/v1/lists/{listId}", new { title = "Ward", exclusive = false }));
        var after = Id(await PostStatus(server.Http(listed.Token), new { status = "Back on the home timeline" }));
        await server.DrainJobsAsync();
        Assert.Contains(after, (await Ok(await r.GetAsync("/api/v1/timelines/home"))).EnumerateArray().Select(Id));
    }

    [Fact]
    public async Task Followed_tags_search_and_the_answers_for_what_Drawbridge_lacks()
    {
        var nurse = await server.SignUpAsync("srch_nurse", "professional");
        using var http = server.Http(nurse.Token);
        var status = await PostStatus(http, new { status = "Flu clinic on Saturday #fluclinic" });
        var id = status.GetProperty("id").GetString()!;
        await server.DrainJobsAsync();

        var followed = await Ok(await http.PostAsync("/api/v1/tags/FluClinic/follow", null));
        MastodonSchema.AssertValid(followed, "Tag");
        Assert.True(followed.GetProperty("following").GetBoolean());
        var tags = await Ok(await http.GetAsync("/api/v1/followed_tags"));
        MastodonSchema.AssertEachValid(tags, "Tag");
        Assert.Equal(["fluclinic"], tags.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.True((await Ok(await http.GetAsync("/api/v1/tags/fluclinic"))).GetProperty("following").GetBoolean());
        Assert.False((await Ok(await http.PostAsync("/api/v1/tags/fluclinic/unfollow", null))).GetProperty("following").GetBoolean());
        await Refused(await http.PostAsync("/api/v1/tags/not%20a%20tag/follow", null), HttpStatusCode.NotFound);

        var all = await Ok(await http.GetAsync("/api/v2/search?q=flu"));
        MastodonSchema.AssertValid(all, "Search");
        Assert.Contains(id, all.GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Contains("fluclinic", all.GetProperty("hashtags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        var accounts = await Ok(await http.GetAsync("/api/v2/search?q=srch_nurse&type=accounts"));
        Assert.Equal(nurse.Id, accounts.GetProperty("accounts")[0].GetProperty("id").GetString());
        Assert.Equal(0, accounts.GetProperty("statuses").GetArrayLength());
        await Refused(await http.GetAsync("/api/v2/search?q=x&type=everything"), HttpStatusCode.BadRequest);
        // resolve=true finds this server's own addresses, as Elk asks for every link it opens.
        var url = status.GetProperty("url").GetString()!;
        var resolved = await Ok(await http.GetAsync("/api/v2/search?resolve=true&q=" + Uri.EscapeDataString(url)));
        Assert.Equal([id], resolved.GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        var byAcct = await Ok(await http.GetAsync($"/api/v2/search?resolve=true&type=accounts&q=" + Uri.EscapeDataString($"@srch_nurse@{server.BaseAddress.Authority}")));
        Assert.Equal(nurse.Id, byAcct.GetProperty("accounts")[0].GetProperty("id").GetString());

        // Empty but valid where Drawbridge has no such thing; polls and push subscriptions are unknown ids.
        foreach (var path in new[] { "/api/v1/conversations", "/api/v1/announcements", "/api/v1/trends/tags", "/api/v1/trends/statuses", "/api/v1/trends/links", "/api/v2/suggestions", "/api/v1/custom_emojis" })
        {
            Assert.Equal("[]", await (await http.GetAsync(path)).Content.ReadAsStringAsync());
        }
        await Refused(await http.GetAsync("/api/v1/polls/1"), HttpStatusCode.NotFound);
        await Refused(await http.GetAsync("/api/v1/push/subscription"), HttpStatusCode.NotFound);
        await Refused(await http.GetAsync("/api/v1/no_such_thing"), HttpStatusCode.NotFound);
        await Refused(await server.Http().GetAsync("/api/v2/no/such/thing"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_revoked_token_gets_401_and_no_one_reads_another_persons_private_collections()
    {
        var owner = await server.SignUpAsync("priv_owner");
        var snoop = await server.SignUpAsync("priv_snoop");
        var token = await TokenAsync(owner, "read write follow", "priv-app");
        using var http = server.Http(token);
        var status = await PostStatus(http, new { status = "Only for me to keep" });
        await Ok(await http.PostAsync($"/api/v1/statuses/{status.GetProperty("id").GetString()}/bookmark", null));
        await Ok(await http.PostAsync($"/api/v1/accounts/{snoop.Id}/mute", null));
        await Ok(await http.PostAsJsonAsync("/api/v2/filters", new { title = "Mine", context = new[] { "home" } }));

        // Everything private is per token holder: the snoop sees their own (empty) collections.
        using var s = server.Http(snoop.Token);
        foreach (var path in new[] { "/api/v1/bookmarks", "/api/v1/mutes", "/api/v2/filters", "/api/v1/favourites", "/api/v1/blocks", "/api/v1/follow_requests", "/api/v1/lists" })
        {
            Assert.Equal(0, (await Ok(await s.GetAsync(path))).GetArrayLength());
        }

        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AccessTokenService>().RevokeIssuedAsync(token, "priv-app", CancellationToken.None);
        }
        Assert.Equal("The access token is invalid", await Refused(await http.GetAsync("/api/v1/bookmarks"), HttpStatusCode.Unauthorized));
        await Refused(await http.GetAsync("/api/v2/filters"), HttpStatusCode.Unauthorized);
        await Refused(await http.PostAsync("/api/v1/media", File(Png(), "a.png", "image/png")), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_article_carries_its_title_and_summary_under_the_drawbridge_key_and_the_openapi_document_lists_the_endpoints()
    {
        var author = await server.SignUpAsync("article_author", "professional");
        using var http = server.Http(author.Token);
        var created = await http.PostAsJsonAsync("/api/drawbridge/v1/posts", new
        {
            kind = "article", title = "Night shifts, demystified", summary = "What happens on a ward after dark", text = "Most of the night is **quiet**.",
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var status = await Ok(await server.Http().GetAsync($"/api/v1/statuses/{id}"));
        MastodonSchema.AssertValid(status, "Status");
        var extension = status.GetProperty("drawbridge");
        Assert.Equal("article", extension.GetProperty("kind").GetString());
        Assert.Equal("Night shifts, demystified", extension.GetProperty("title").GetString());
        Assert.Equal("What happens on a ward after dark", extension.GetProperty("summary").GetString());
        var source = await Ok(await http.GetAsync($"/api/v1/statuses/{id}/source"));
        Assert.Equal("Most of the night is **quiet**.", source.GetProperty("text").GetString());
        Assert.Equal("Night shifts, demystified", source.GetProperty("drawbridge").GetProperty("title").GetString());
        // Editing the text through Mastodon's API keeps the title; the extension's field changes it.
        var edited = await Ok(await http.PutAsJsonAsync($"/api/v1/statuses/{id}", new { status = "Most of the night is quiet, mostly.", drawbridge = new { title = "Night shifts" } }));
        Assert.Equal("Night shifts", edited.GetProperty("drawbridge").GetProperty("title").GetString());
        Assert.Equal("What happens on a ward after dark", edited.GetProperty("drawbridge").GetProperty("summary").GetString());
        var history = await Ok(await http.GetAsync($"/api/v1/statuses/{id}/history"));
        Assert.Equal("Night shifts, demystified", history[0].GetProperty("drawbridge").GetProperty("title").GetString());
        // A note has no such key.
        var note = await PostStatus(http, new { status = "Just a note" });
        Assert.False(note.TryGetProperty("drawbridge", out _));

        var doc = JsonDocument.Parse(await server.Http().GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/media", "/api/v2/media", "/api/v1/statuses/{id}/history", "/api/v1/bookmarks", "/api/v1/lists/{id}/accounts",
                     "/api/v2/filters", "/api/v2/search", "/api/v1/accounts/update_credentials", "/api/v1/follow_requests/{id}/authorize" })
        {
            Assert.True(doc.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
        }
    }

    [Fact]
    public async Task Direct_messages_from_another_server_are_grouped_as_conversations_for_those_in_them()
    {
        var nurse = await server.SignUpAsync("dm_nurse");
        var other = await server.SignUpAsync("dm_other");
        long first, second, lone;
        // Direct messages only arrive from other servers: stored here as the inbox stores them.
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            var ids = scope.ServiceProvider.GetRequiredService<Snowflake>();
            var remote = new Account
            {
                Id = ids.Next(), Handle = "patient", HandleKey = "patient", Domain = "elsewhere.example", DisplayName = "A patient",
                Uri = "https://elsewhere.example/users/patient", Url = "https://elsewhere.example/@patient", CreatedAt = DateTime.UtcNow,
            };
            db.Accounts.Add(remote);
            Post Dm(long id, long conversation, long? replyTo, string text) => new()
            {
                Id = id, AuthorId = remote.Id, Content = text, ContentHtml = $"<p>{text}</p>", ConversationId = conversation, InReplyToId = replyTo,
                Visibility = Visibility.Direct, Status = Drawbridge.Posts.PostStatus.Published, CreatedAt = DateTime.UtcNow, Local = false, Uri = $"https://elsewhere.example/notes/{id}",
            };
            first = ids.Next();
            second = ids.Next();
            lone = ids.Next();
            db.Posts.Add(Dm(first, first, null, "Hello nurse"));
            await db.SaveChangesAsync();
            db.Posts.Add(Dm(second, first, first, "Are you there?"));
            db.Posts.Add(Dm(lone, lone, null, "A separate question"));
            await db.SaveChangesAsync();
            foreach (var id in new[] { first, second, lone })
            {
                db.PostMentions.Add(new PostMention { PostId = id, AccountId = long.Parse(nurse.Id) });
            }
            await db.SaveChangesAsync();
        }
        using var n = server.Http(nurse.Token);
        var conversations = await Ok(await n.GetAsync("/api/v1/conversations"));
        MastodonSchema.AssertEachValid(conversations, "Conversation");
        Assert.Equal([lone.ToString(), second.ToString()], conversations.EnumerateArray().Select(c => c.GetProperty("last_status").GetProperty("id").GetString()));
        var thread = conversations[1];
        Assert.Equal(first.ToString(), thread.GetProperty("id").GetString());
        Assert.Equal("direct", thread.GetProperty("last_status").GetProperty("visibility").GetString());
        Assert.Equal(["patient@elsewhere.example"], thread.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("acct").GetString()));
        Assert.Equal("https://elsewhere.example/notes/" + second, thread.GetProperty("last_status").GetProperty("uri").GetString());
        var page = await Ok(await n.GetAsync($"/api/v1/conversations?max_id={lone}"));
        Assert.Equal([second.ToString()], page.EnumerateArray().Select(c => c.GetProperty("last_status").GetProperty("id").GetString()));

        // No one else sees them, anywhere.
        using var o = server.Http(other.Token);
        Assert.Equal(0, (await Ok(await o.GetAsync("/api/v1/conversations"))).GetArrayLength());
        await Refused(await o.GetAsync($"/api/v1/statuses/{second}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain(second.ToString(), (await Ok(await o.GetAsync("/api/v1/timelines/public"))).EnumerateArray().Select(x => x.GetProperty("id").GetString()));
        await Refused(await server.Http().GetAsync("/api/v1/conversations"), HttpStatusCode.Unauthorized);
    }

    /// <summary>The requests Elk and Phanpy make when someone opens them (../shared notes: "P0: login and startup").</summary>
    [Fact]
    public async Task Elk_and_Phanpy_start_up_against_the_server()
    {
        var user = await server.SignUpAsync("startup_nurse", "professional");

        async Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, HttpContent? content = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Add("Origin", "https://client.example");
            var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {body}");
            Assert.NotEqual(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            if (path.StartsWith("/api/", StringComparison.Ordinal))
            {
                Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            }
            return response;
        }
        async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

        // Elk: registers with JSON, then (signed in) instance v2, verify_credentials, NodeInfo at the fixed path,
        // preferences, home timeline, notifications, followed tags, push subscription (404 tolerated), custom emojis.
        using (var anonymous = server.Http())
        {
            var app = await Json(await Send(anonymous, HttpMethod.Post, "/api/v1/apps", JsonContent.Create(new
            {
                client_name = "Elk", website = "https://elk.zone", redirect_uris = "https://elk.zone/api/127.0.0.1/oauth", scopes = "read write follow push",
            })));
            using var elk = server.Http(await TokenAsync(user, "read write follow push", app.GetProperty("client_id").GetString()));
            MastodonSchema.AssertValid(await Json(await Send(elk, HttpMethod.Get, "/api/v2/instance")), "Instance");
            MastodonSchema.AssertValid(await Json(await Send(elk, HttpMethod.Get, "/api/v1/accounts/verify_credentials")), "CredentialAccount");
            Assert.Equal("2.0", (await Json(await Send(elk, HttpMethod.Get, "/nodeinfo/2.0"))).GetProperty("version").GetString());
            MastodonSchema.AssertValid(await Json(await Send(elk, HttpMethod.Get, "/api/v1/preferences")), "Preferences");
            MastodonSchema.AssertEachValid(await Json(await Send(elk, HttpMethod.Get, "/api/v1/timelines/home?limit=20")), "Status");
            MastodonSchema.AssertEachValid(await Json(await Send(elk, HttpMethod.Get, "/api/v1/notifications?limit=20")), "Notification");
            MastodonSchema.AssertEachValid(await Json(await Send(elk, HttpMethod.Get, "/api/v1/followed_tags")), "Tag");
            var push = await elk.GetAsync("/api/v1/push/subscription");
            Assert.Equal(HttpStatusCode.NotFound, push.StatusCode);
            Assert.Equal("application/json", push.Content.Headers.ContentType?.MediaType);
            await Send(elk, HttpMethod.Get, "/api/v1/custom_emojis");
            MastodonSchema.AssertEachValid(await Json(await Send(elk, HttpMethod.Get, "/api/v1/timelines/public?limit=20")), "Status");
        }

        // Phanpy: registers with a form, reads the OAuth metadata for PKCE, then instance v2, verify_credentials,
        // preferences, NodeInfo by discovery, home and notifications (polled with since_id), followed tags, lists, emojis.
        using (var anonymous = server.Http())
        {
            var app = await Json(await Send(anonymous, HttpMethod.Post, "/api/v1/apps", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["client_name"] = "Phanpy", ["website"] = "https://phanpy.social", ["redirect_uris"] = "https://phanpy.social/", ["scopes"] = "read write follow push",
            })));
            Assert.False(string.IsNullOrEmpty(app.GetProperty("client_secret").GetString()));
            var metadata = await Json(await Send(anonymous, HttpMethod.Get, "/.well-known/oauth-authorization-server"));
            Assert.Contains("S256", metadata.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(m => m.GetString()));
            using var phanpy = server.Http(await TokenAsync(user, "read write follow push", app.GetProperty("client_id").GetString()));
            var instance = await Json(await Send(phanpy, HttpMethod.Get, "/api/v2/instance"));
            Assert.Equal(1, instance.GetProperty("api_versions").GetProperty("mastodon").GetInt32());
            await Send(phanpy, HttpMethod.Get, "/api/v1/accounts/verify_credentials");
            await Send(phanpy, HttpMethod.Get, "/api/v1/preferences");
            var discovery = await Json(await Send(phanpy, HttpMethod.Get, "/.well-known/nodeinfo"));
            var nodeinfo = new Uri(discovery.GetProperty("links")[0].GetProperty("href").GetString()!).PathAndQuery;
            Assert.True((await Json(await Send(phanpy, HttpMethod.Get, nodeinfo))).TryGetProperty("software", out _));
            var home = await Json(await Send(phanpy, HttpMethod.Get, "/api/v1/timelines/home?limit=20"));
            var since = home.GetArrayLength() > 0 ? home[0].GetProperty("id").GetString() : "0";
            await Send(phanpy, HttpMethod.Get, $"/api/v1/timelines/home?since_id={since}");
            await Send(phanpy, HttpMethod.Get, "/api/v1/notifications?limit=30");
            await Send(phanpy, HttpMethod.Get, "/api/v1/notifications?since_id=0&types[]=mention");
            await Send(phanpy, HttpMethod.Get, "/api/v1/followed_tags");
            MastodonSchema.AssertEachValid(await Json(await Send(phanpy, HttpMethod.Get, "/api/v1/lists")), "List");
            await Send(phanpy, HttpMethod.Get, "/api/v2/filters");
            await Send(phanpy, HttpMethod.Get, "/api/v1/custom_emojis");
            await Send(phanpy, HttpMethod.Get, "/api/v1/trends/tags");
        }
    }
}

public sealed class SqliteMastodonClientApiTests(DrawbridgeServer server) : MastodonClientApiTests<DrawbridgeServer>(server);

/// <summary>The same on PostgreSQL (run by test.sh, which starts one).</summary>
public sealed class PostgresMastodonClientApiTests(PostgresDrawbridgeServer server) : MastodonClientApiTests<PostgresDrawbridgeServer>(server);
