using System.Globalization;
using System.Security.Claims;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Media;
using Drawbridge.Posts;
using Drawbridge.Search;
using Drawbridge.Social;
using Drawbridge.Timelines;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Api;

/// <summary>The JSON API: a thin adapter over the same services the web pages use.</summary>
public static class ApiEndpoints
{
    public const string Policy = "api";

    public static void MapDrawbridgeApi(this IEndpointRouteBuilder app)
    {
        // JSON bodies are small: 1 MB for the group, less where anyone may write; uploads say their own limit.
        var api = app.MapGroup("/api/drawbridge/v1").WithTags("Drawbridge").DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(BodyLimits.Json));
        var signedIn = api.MapGroup("").RequireAuthorization(Policy);

        api.MapPost("/accounts", SignUp).RequireRateLimiting("sign-up").WithMetadata(new RequestSizeLimitAttribute(BodyLimits.Anonymous));
        api.MapPost("/auth/tokens", IssueToken).RequireRateLimiting("sign-in").WithMetadata(new RequestSizeLimitAttribute(BodyLimits.Anonymous));
        api.MapGet("/accounts/{handle}", GetAccount);
        api.MapGet("/accounts/{handle}/posts", AccountPosts);
        api.MapGet("/accounts/{handle}/followers", Followers);
        api.MapGet("/accounts/{handle}/following", Following);
        signedIn.MapGet("/me", GetMe);
        signedIn.MapPatch("/me", UpdateProfile);
        signedIn.MapDelete("/me", RequestDeletion);
        signedIn.MapPost("/accounts/{id}/follow", (long id, ClaimsPrincipal u, FollowService s, CancellationToken ct) => Relate(id, s.FollowAsync(Me(u), id, ct)));
        signedIn.MapPost("/accounts/{id}/unfollow", (long id, ClaimsPrincipal u, FollowService s, CancellationToken ct) => Relate(id, s.UnfollowAsync(Me(u), id, ct)));
        signedIn.MapPost("/accounts/{id}/block", (long id, ClaimsPrincipal u, FollowService s, CancellationToken ct) => Relate(id, s.BlockAsync(Me(u), id, true, ct)));
        signedIn.MapPost("/accounts/{id}/unblock", (long id, ClaimsPrincipal u, FollowService s, CancellationToken ct) => Relate(id, s.BlockAsync(Me(u), id, false, ct)));
        signedIn.MapPost("/accounts/{id}/mute", (long id, ClaimsPrincipal u, FollowService s, CancellationToken ct) => Relate(id, s.MuteAsync(Me(u), id, true, ct)));
        signedIn.MapPost("/accounts/{id}/unmute", (long id, ClaimsPrincipal u, FollowService s, CancellationToken ct) => Relate(id, s.MuteAsync(Me(u), id, false, ct)));
        signedIn.MapGet("/accounts/{id}/relationship", async (long id, ClaimsPrincipal u, FollowService s, CancellationToken ct) =>
            TypedResults.Ok(RelationshipDto.From(id, await s.RelationshipAsync(Me(u), id, ct))));

        signedIn.MapPost("/posts", CreatePost).RequireRateLimiting("posting");
        api.MapGet("/posts/{id}", GetPost);
        api.MapGet("/posts/{id}/thread", GetThread);
        api.MapGet("/posts/{id}/history", History);
        signedIn.MapPut("/posts/{id}", EditPost);
        signedIn.MapDelete("/posts/{id}", DeletePost);
        signedIn.MapPost("/posts/{id}/publish", PublishDraft).RequireRateLimiting("posting");
        signedIn.MapPost("/posts/{id}/like", (long id, ClaimsPrincipal u, PostInteractions s, TimelineService t, CancellationToken ct) => Mark(id, u, s.LikeAsync(Me(u), id, true, ct), t, ct));
        signedIn.MapPost("/posts/{id}/unlike", (long id, ClaimsPrincipal u, PostInteractions s, TimelineService t, CancellationToken ct) => Mark(id, u, s.LikeAsync(Me(u), id, false, ct), t, ct));
        signedIn.MapPost("/posts/{id}/repost", (long id, ClaimsPrincipal u, PostInteractions s, TimelineService t, CancellationToken ct) => Mark(id, u, s.RepostAsync(Me(u), id, true, ct), t, ct));
        signedIn.MapPost("/posts/{id}/unrepost", (long id, ClaimsPrincipal u, PostInteractions s, TimelineService t, CancellationToken ct) => Mark(id, u, s.RepostAsync(Me(u), id, false, ct), t, ct));
        signedIn.MapGet("/drafts", Drafts);

        api.MapPost("/posts/{id}/guest-comments", AddGuestComment).RequireRateLimiting("guest-comments").WithMetadata(new RequestSizeLimitAttribute(BodyLimits.Anonymous));
        signedIn.MapGet("/guest-comments", AwaitingComments);
        signedIn.MapPost("/guest-comments/{id}/approve", (long id, ModerateRequest? body, ClaimsPrincipal u, GuestCommentService s, CancellationToken ct) =>
            Moderate(s.ModerateAsync(Me(u), id, GuestCommentStatus.Approved, body?.Trust == true, ct)));
        signedIn.MapPost("/guest-comments/{id}/reject", (long id, ClaimsPrincipal u, GuestCommentService s, CancellationToken ct) =>
            Moderate(s.ModerateAsync(Me(u), id, GuestCommentStatus.Rejected, false, ct)));

        signedIn.MapPost("/media", Upload).DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(MediaService.MaxEpisodeBytes + 1024 * 1024));
        signedIn.MapPut("/media/{id}", async (long id, AltTextRequest body, ClaimsPrincipal u, MediaService media, CancellationToken ct) =>
            ToResult(await media.DescribeAsync(Me(u), id, body.AltText ?? "", ct), m => TypedResults.Ok(MediaDto.From(m))));

        signedIn.MapGet("/timelines/home", HomeTimeline);
        api.MapGet("/timelines/local", async ([AsParameters] Paging p, ClaimsPrincipal u, TimelineService t, CancellationToken ct) =>
            Page(await t.LocalAsync(u.AccountIdOf(), p.Request, ct)));
        api.MapGet("/timelines/tags/{tag}", async (string tag, [AsParameters] Paging p, ClaimsPrincipal u, TimelineService t, CancellationToken ct) =>
            Page(await t.HashtagAsync(tag, u.AccountIdOf(), p.Request, ct)));

        signedIn.MapGet("/notifications", async ([AsParameters] Paging p, ClaimsPrincipal u, NotificationService n, CancellationToken ct) =>
            TypedResults.Ok((await n.ListAsync(Me(u), p.Request, ct)).Select(NotificationDto.From).ToList()));
        signedIn.MapGet("/notifications/unread_count", async (ClaimsPrincipal u, NotificationService n, CancellationToken ct) =>
            TypedResults.Ok(new UnreadDto(await n.UnreadCountAsync(Me(u), ct))));
        signedIn.MapPost("/notifications/read", async (ClaimsPrincipal u, NotificationService n, CancellationToken ct) =>
        {
            await n.MarkAllReadAsync(Me(u), ct);
            return TypedResults.NoContent();
        });

        signedIn.MapPost("/organisations", async (OrganisationRequest body, ClaimsPrincipal u, OrganisationService orgs, CancellationToken ct) =>
            ToResult(await orgs.CreateAsync(Me(u), new OrganisationInput(body.Handle ?? "", body.DisplayName ?? "", body.Bio ?? ""), ct),
                a => TypedResults.Created($"/api/drawbridge/v1/accounts/{a.Handle}", AccountDto.From(a))));
        api.MapGet("/organisations/{handle}/members", async Task<IResult> (string handle, AccountService accounts, OrganisationService orgs, CancellationToken ct) =>
            await accounts.FindByHandleAsync(handle, ct) is { Kind: AccountKind.Organisation } org
                ? TypedResults.Ok((await orgs.MembersAsync(org.Id, ct)).Select(m => new OrganisationMemberDto(AccountDto.From(m.Account), Listening.OrganisationRoles.Name(m.Role))).ToList())
                : TypedResults.Problem($"No organisation @{handle}", statusCode: 404, title: "Not found"));
        signedIn.MapPost("/organisations/{handle}/members", async Task<IResult> (string handle, MemberRequest body, ClaimsPrincipal u, AccountService accounts, OrganisationService orgs, CancellationToken ct) =>
        {
            if (await accounts.FindByHandleAsync(handle, ct) is not { Kind: AccountKind.Organisation } org)
            {
                return TypedResults.Problem($"No organisation @{handle}", statusCode: 404, title: "Not found");
            }
            if (Listening.OrganisationRoles.Parse(body.Role) is not { } role)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = ["Role must be admin, responder or viewer"] });
            }
            return ToResult(await orgs.AddMemberAsync(Me(u), org.Id, body.Handle ?? "", role, ct),
                m => TypedResults.Ok(new OrganisationMemberDto(AccountDto.From(m.Account), Listening.OrganisationRoles.Name(m.Role))));
        });
        signedIn.MapDelete("/organisations/{handle}/members/{memberId:long}", async Task<IResult> (string handle, long memberId, ClaimsPrincipal u, AccountService accounts, OrganisationService orgs, CancellationToken ct) =>
            await accounts.FindByHandleAsync(handle, ct) is { Kind: AccountKind.Organisation } org
                ? ToResult(await orgs.RemoveMemberAsync(Me(u), org.Id, memberId, ct), _ => TypedResults.NoContent())
                : TypedResults.Problem($"No organisation @{handle}", statusCode: 404, title: "Not found"));

        api.MapGet("/search", Search);
        api.MapPost("/safety/check", (SafetyCheckRequest body, PostPublishing posts) =>
        {
            var findings = posts.Screen(PostKind.Note, null, null, body.Text ?? "", body.HasImages == true);
            return TypedResults.Ok(findings.Select(f => new FindingDto(f.Rule, f.Start, f.End, f.Severity.ToString().ToLowerInvariant(), f.Message, f.Suggestion)).ToList());
        }).WithMetadata(new RequestSizeLimitAttribute(BodyLimits.SafetyCheck));
    }

    public sealed record Paging(
        [property: FromQuery(Name = "max_id")] long? MaxId,
        [property: FromQuery(Name = "since_id")] long? SinceId,
        [property: FromQuery(Name = "min_id")] long? MinId,
        [property: FromQuery(Name = "limit")] int? Limit)
    {
        public PageRequest Request => new(MaxId, SinceId, MinId, Limit ?? 20);
    }

    internal static long Me(ClaimsPrincipal user) => user.AccountIdOf() ?? throw new InvalidOperationException("Signed-in endpoint reached without an account claim");

    private static Ok<List<PostDto>> Page(List<PostView> views) => TypedResults.Ok(views.Select(PostDto.From).ToList());

    internal static IResult ToResult<T>(Outcome<T> outcome, Func<T, IResult> ok) => outcome.Failure switch
    {
        OutcomeFailure.None => ok(outcome.Value!),
        OutcomeFailure.NotFound => TypedResults.Problem(outcome.FirstError, statusCode: StatusCodes.Status404NotFound, title: "Not found"),
        OutcomeFailure.Forbidden => TypedResults.Problem(outcome.FirstError, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden"),
        OutcomeFailure.Conflict => TypedResults.ValidationProblem(outcome.Errors.ToDictionary(e => e.Key, e => e.Value), outcome.FirstError, title: "Already taken", type: "https://tools.ietf.org/html/rfc9110#section-15.5.10"),
        _ => TypedResults.ValidationProblem(outcome.Errors.ToDictionary(e => e.Key, e => e.Value), outcome.FirstError),
    };

    private static async Task<IResult> SignUp(SignUpRequest body, AccountService accounts, UserManager<User> users, AccountMail mail, HttpRequest request, CancellationToken ct)
    {
        if (!TryKind(body.Kind, out var kind))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["kind"] = ["Kind must be member or professional"] });
        }
        var outcome = await accounts.SignUpAsync(new SignUpInput(body.Handle ?? "", body.DisplayName ?? "", body.Email ?? "", body.Password ?? "", kind, body.Profession, body.Employer), ct);
        if (outcome.Failure == OutcomeFailure.Conflict)
        {
            return TypedResults.Problem(outcome.FirstError, statusCode: StatusCodes.Status409Conflict, title: "Already taken",
                extensions: new Dictionary<string, object?> { ["errors"] = outcome.Errors });
        }
        if (outcome.Succeeded && await users.FindByNameAsync(outcome.Value!.HandleKey) is { } user)
        {
            await mail.SendConfirmationAsync(user, mail.BaseUrl(request), ct);
        }
        return ToResult(outcome, a => TypedResults.Created($"/api/drawbridge/v1/accounts/{a.Handle}", AccountDto.From(a)));
    }

    private static bool TryKind(string? text, out AccountKind kind)
    {
        kind = AccountKind.Member;
        if (string.IsNullOrEmpty(text) || text.Equals("member", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (text.Equals("professional", StringComparison.OrdinalIgnoreCase))
        {
            kind = AccountKind.Professional;
            return true;
        }
        return false;
    }

    private static async Task<IResult> IssueToken(TokenRequest body, UserManager<User> users, AccessTokenService tokens, AccountService accounts, IConfiguration config, CancellationToken ct)
    {
        var user = string.IsNullOrWhiteSpace(body.Email) ? null : await users.FindByEmailAsync(body.Email.Trim());
        if (user is null)
        {
            SignInAnswers.CheckAgainstNobody(body.Password);
        }
        if (user is null || !await users.CheckPasswordAsync(user, body.Password ?? "") || await users.IsLockedOutAsync(user))
        {
            if (user is not null)
            {
                await users.AccessFailedAsync(user);
            }
            return TypedResults.Problem("The email address or password is not right", statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed");
        }
        if (users.Options.SignIn.RequireConfirmedEmail && !user.EmailConfirmed)
        {
            return TypedResults.Problem("Confirm your email address first: follow the link in the email we sent", statusCode: StatusCodes.Status403Forbidden, title: "Email not confirmed");
        }
        if (await users.GetTwoFactorEnabledAsync(user))
        {
            return TypedResults.Problem("This account uses two-factor authentication: create a token from the settings page instead", statusCode: StatusCodes.Status403Forbidden, title: "Two-factor required");
        }
        var account = await accounts.FindAsync(user.AccountId, ct);
        if (account is null || account.DeletionRequestedAt is not null)
        {
            return TypedResults.Problem("This account is being deleted", statusCode: StatusCodes.Status403Forbidden);
        }
        var token = await tokens.IssueAsync(user, body.Name ?? "API client", ct);
        return TypedResults.Ok(new TokenDto(token, "Bearer", AccountDto.From(account)));
    }

    private static async Task<IResult> GetAccount(string handle, AccountService accounts, CancellationToken ct) =>
        await accounts.FindByHandleAsync(handle, ct) is { } a ? TypedResults.Ok(AccountDto.From(a)) : TypedResults.Problem($"No account @{handle}", statusCode: 404, title: "Not found");

    private static async Task<IResult> AccountPosts(string handle, [AsParameters] Paging p, [FromQuery(Name = "with_replies")] bool? withReplies,
        [FromQuery(Name = "articles")] bool? articles, ClaimsPrincipal u, AccountService accounts, TimelineService t, CancellationToken ct)
    {
        var account = await accounts.FindByHandleAsync(handle, ct);
        if (account is null)
        {
            return TypedResults.Problem($"No account @{handle}", statusCode: 404, title: "Not found");
        }
        return Page(await t.ProfileAsync(account.Id, u.AccountIdOf(), withReplies == true, articles == true, p.Request, ct));
    }

    private static async Task<IResult> Followers(string handle, AccountService accounts, FollowService follows, CancellationToken ct) =>
        await accounts.FindByHandleAsync(handle, ct) is { } a
            ? TypedResults.Ok((await follows.FollowersAsync(a.Id, 80, ct)).Select(AccountDto.From).ToList())
            : TypedResults.Problem($"No account @{handle}", statusCode: 404, title: "Not found");

    private static async Task<IResult> Following(string handle, AccountService accounts, FollowService follows, CancellationToken ct) =>
        await accounts.FindByHandleAsync(handle, ct) is { } a
            ? TypedResults.Ok((await follows.FollowingAsync(a.Id, 80, ct)).Select(AccountDto.From).ToList())
            : TypedResults.Problem($"No account @{handle}", statusCode: 404, title: "Not found");

    private static async Task<IResult> GetMe(ClaimsPrincipal u, AccountService accounts, CancellationToken ct) =>
        await accounts.FindAsync(Me(u), ct) is { } a ? TypedResults.Ok(AccountDto.From(a)) : TypedResults.NotFound();

    private static async Task<IResult> UpdateProfile(ProfileRequest body, ClaimsPrincipal u, AccountService accounts, CancellationToken ct)
    {
        var current = await accounts.FindAsync(Me(u), ct);
        if (current is null)
        {
            return TypedResults.NotFound();
        }
        var input = new ProfileInput(body.DisplayName ?? current.DisplayName, body.Bio ?? current.Bio, body.Profession ?? current.Profession, body.Employer ?? current.Employer,
            body.Links?.Select(l => new ProfileLink(l.Label ?? "", l.Url ?? "")).ToList() ?? current.ParsedLinks());
        return ToResult(await accounts.UpdateProfileAsync(current.Id, input, ct), a => TypedResults.Ok(AccountDto.From(a)));
    }

    /// <summary>A token alone can't delete the account: the password must come with it.</summary>
    private static async Task<IResult> RequestDeletion([FromBody] PasswordConfirmation? body, ClaimsPrincipal u, AccountService accounts, AccessTokenService tokens,
        UserManager<User> users, SignInManager<User> signIn, CancellationToken ct)
    {
        var user = await users.GetUserAsync(u);
        if (user is null || string.IsNullOrEmpty(body?.Password) || !(await signIn.CheckPasswordSignInAsync(user, body.Password, lockoutOnFailure: true)).Succeeded)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["password"] = ["Send the account's password to delete it"] });
        }
        await accounts.RequestDeletionAsync(Me(u), ct);
        await tokens.RevokeAllAsync(Me(u), ct);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<IResult> Relate(long id, Task<Outcome<Relationship>> action) =>
        ToResult(await action, r => TypedResults.Ok(RelationshipDto.From(id, r)));

    private static async Task<IResult> Mark(long id, ClaimsPrincipal u, Task<Outcome<Post>> action, TimelineService t, CancellationToken ct)
    {
        var outcome = await action;
        if (!outcome.Succeeded)
        {
            return ToResult(outcome, _ => TypedResults.Ok());
        }
        return await t.PostAsync(id, Me(u), ct) is { } view ? TypedResults.Ok(PostDto.From(view)) : TypedResults.NotFound();
    }

    internal static Outcome<PostInput> ParsePostRequest(PostRequest body)
    {
        var errors = new ErrorBag();
        var kind = PostKind.Note;
        if (body.Kind is { Length: > 0 } k && !Enum.TryParse(k, true, out kind))
        {
            errors.Add("kind", "Kind must be note or article");
        }
        var visibility = Visibility.Public;
        if (body.Visibility is { Length: > 0 } v && (!Enum.TryParse(v, true, out visibility) || visibility == Visibility.Direct))
        {
            errors.Add("visibility", "Visibility must be public, unlisted or followers");
        }
        long? replyTo = null;
        if (body.InReplyToId is { Length: > 0 } r)
        {
            if (long.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var rid))
            {
                replyTo = rid;
            }
            else
            {
                errors.Add("inReplyToId", "inReplyToId must be a post id");
            }
        }
        var media = new List<long>();
        foreach (var m in body.MediaIds ?? [])
        {
            if (long.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var mid))
            {
                media.Add(mid);
            }
            else
            {
                errors.Add("mediaIds", $"'{m}' is not a media id");
            }
        }
        long? enclosure = null;
        if (body.EnclosureMediaId is { Length: > 0 } e)
        {
            if (long.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var eid))
            {
                enclosure = eid;
            }
            else
            {
                errors.Add("enclosureMediaId", "enclosureMediaId must be a media id");
            }
        }
        if (errors.Any)
        {
            return errors.ToOutcome<PostInput>();
        }
        return Outcome<PostInput>.Ok(new PostInput(body.Text ?? "", kind, body.Title, body.Summary, replyTo, visibility, media, body.EnclosureUrl, enclosure,
            body.PublishAt?.ToUniversalTime(), body.Draft == true, body.ConfirmWarnings == true));
    }

    private static async Task<IResult> CreatePost(PostRequest body, ClaimsPrincipal u, PostPublishing posts, AccountService accounts, TimelineService timelines, CancellationToken ct)
    {
        var parsed = ParsePostRequest(body);
        if (!parsed.Succeeded)
        {
            return ToResult(parsed, _ => TypedResults.Ok());
        }
        var outcome = await posts.CreateAsync(Me(u), parsed.Value!, ct);
        if (!outcome.Succeeded)
        {
            return ToResult(outcome, _ => TypedResults.Ok());
        }
        var post = outcome.Value!;
        // A published post comes back as readers will see it (media included); drafts and held posts as stored.
        var view = await timelines.PostAsync(post.Id, Me(u), ct);
        var dto = view is not null ? PostDto.From(view) : PostDto.From(post, (await accounts.FindAsync(Me(u), ct))!);
        return TypedResults.Created($"/api/drawbridge/v1/posts/{post.Id}", dto);
    }

    private static async Task<IResult> GetPost(long id, ClaimsPrincipal u, TimelineService t, CancellationToken ct) =>
        await t.PostAsync(id, u.AccountIdOf(), ct) is { } v ? TypedResults.Ok(PostDto.From(v)) : TypedResults.Problem("Post not found", statusCode: 404, title: "Not found");

    private static async Task<IResult> GetThread(long id, ClaimsPrincipal u, TimelineService t, CancellationToken ct)
    {
        var thread = await t.ThreadAsync(id, u.AccountIdOf(), ct);
        if (thread is null)
        {
            return TypedResults.Problem("Post not found", statusCode: 404, title: "Not found");
        }
        return TypedResults.Ok(new ThreadDto(PostDto.From(thread.Focus), thread.Items.Select(i => new ThreadItemDto(i.Depth, PostDto.From(i.Post))).ToList(),
            thread.GuestComments.Select(GuestCommentDto.From).ToList()));
    }

    private static async Task<IResult> History(long id, ClaimsPrincipal u, TimelineService t, PostEditing posts, CancellationToken ct)
    {
        if (await t.PostAsync(id, u.AccountIdOf(), ct) is null)
        {
            return TypedResults.Problem("Post not found", statusCode: 404, title: "Not found");
        }
        var edits = await posts.HistoryAsync(id, ct);
        return TypedResults.Ok(edits.Select(e => new { version = e.Version, content = e.Content, title = e.Title, summary = e.Summary, editedAt = e.EditedAt }).ToList());
    }

    private static async Task<IResult> EditPost(long id, PostRequest body, ClaimsPrincipal u, PostEditing posts, TimelineService t, CancellationToken ct)
    {
        var parsed = ParsePostRequest(body);
        if (!parsed.Succeeded)
        {
            return ToResult(parsed, _ => TypedResults.Ok());
        }
        var outcome = await posts.EditAsync(Me(u), id, parsed.Value!, ct);
        if (!outcome.Succeeded)
        {
            return ToResult(outcome, _ => TypedResults.Ok());
        }
        var view = await t.PostAsync(id, Me(u), ct);
        return view is null ? TypedResults.Ok() : TypedResults.Ok(PostDto.From(view));
    }

    private static async Task<IResult> DeletePost(long id, ClaimsPrincipal u, PostEditing posts, CancellationToken ct) =>
        ToResult(await posts.DeleteAsync(Me(u), id, false, ct), _ => TypedResults.NoContent());

    private static async Task<IResult> PublishDraft(long id, PublishRequest? body, ClaimsPrincipal u, PostPublishing posts, AccountService accounts, CancellationToken ct)
    {
        var outcome = await posts.PublishDraftAsync(Me(u), id, body?.ConfirmWarnings == true, body?.PublishAt?.ToUniversalTime(), ct);
        if (!outcome.Succeeded)
        {
            return ToResult(outcome, _ => TypedResults.Ok());
        }
        var author = await accounts.FindAsync(Me(u), ct);
        return TypedResults.Ok(PostDto.From(outcome.Value!, author!));
    }

    private static async Task<IResult> Drafts(ClaimsPrincipal u, PostEditing posts, AccountService accounts, CancellationToken ct)
    {
        var author = await accounts.FindAsync(Me(u), ct);
        return TypedResults.Ok((await posts.DraftsAsync(Me(u), ct)).Select(p => PostDto.From(p, author!)).ToList());
    }

    private static async Task<IResult> AddGuestComment(long id, GuestCommentRequest body, GuestCommentService comments, CancellationToken ct) =>
        ToResult(await comments.AddAsync(id, new GuestCommentInput(body.Name ?? "", body.Email ?? "", body.Text ?? "", body.Website), ct),
            c => TypedResults.Accepted($"/api/drawbridge/v1/posts/{id}/thread", GuestCommentDto.From(c)));

    /// <summary>A page of comments awaiting approval, oldest first; <c>after</c> is the last id of the previous page.</summary>
    private static async Task<IResult> AwaitingComments(long? after, int? limit, ClaimsPrincipal u, GuestCommentService comments, CancellationToken ct) =>
        TypedResults.Ok((await comments.AwaitingAsync(Me(u), after, limit ?? 20, ct)).Select(GuestCommentDto.From).ToList());

    private static async Task<IResult> Moderate(Task<Outcome<GuestComment>> action) =>
        ToResult(await action, c => TypedResults.Ok(GuestCommentDto.From(c)));

    private static async Task<IResult> Upload(HttpRequest request, ClaimsPrincipal u, MediaService media, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["Send the file as multipart/form-data in a field named file"] });
        }
        var form = await request.ReadFormAsync(ct);
        var file = form.Files.GetFile("file");
        if (file is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["Select a file to upload (field 'file')"] });
        }
        await using var stream = file.OpenReadStream();
        return ToResult(await media.UploadAsync(Me(u), stream, file.Length, form["altText"], ct), m => TypedResults.Created($"/media/{m.Id}", MediaDto.From(m)));
    }

    private static async Task<IResult> HomeTimeline([AsParameters] Paging p, ClaimsPrincipal u, HomeTimelineJson fast, HttpContext http, CancellationToken ct) =>
        await fast.PageAsync(Me(u), p.Request, ct) is { } json
            ? json
            : Page(await http.RequestServices.GetRequiredService<TimelineService>().HomeAsync(Me(u), p.Request, ct));

    private static async Task<IResult> Search(string? q, string? order, int? limit, int? offset, ClaimsPrincipal u, SearchService search, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["q"] = ["Enter something to search for"] });
        }
        var ordering = string.Equals(order, "relevance", StringComparison.OrdinalIgnoreCase) ? SearchOrder.Relevance : SearchOrder.Newest;
        var results = await search.SearchAsync(q, ordering, u.AccountIdOf(), limit ?? 20, offset ?? 0, ct);
        return TypedResults.Ok(new SearchDto(results.Posts.Select(PostDto.From).ToList(), results.Accounts.Select(AccountDto.From).ToList(),
            results.Tags.Select(t => new TagCountDto(t.Tag, t.Posts, $"/tags/{t.Tag}")).ToList()));
    }
}

/// <summary>Largest request bodies the JSON API reads, in bytes.</summary>
public static class BodyLimits
{
    /// <summary>Any JSON request: an article of 100,000 characters fits with room to spare.</summary>
    public const long Json = 1024 * 1024;
    /// <summary>The safety check is open to anyone: one article's worth of text.</summary>
    public const long SafetyCheck = 512 * 1024;
    /// <summary>Sign-up, tokens and guest comments, which anyone may send.</summary>
    public const long Anonymous = 64 * 1024;
}
