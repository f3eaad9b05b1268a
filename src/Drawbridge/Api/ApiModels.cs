using System.Globalization;
using System.Text.Json.Serialization;
using Drawbridge.Accounts;
using Drawbridge.Media;
using Drawbridge.Posts;
using Drawbridge.Social;
using Drawbridge.Timelines;

namespace Drawbridge.Api;

// The JSON API's shapes: our domain's words, ids as strings (64-bit ids don't fit in a JavaScript number).

public sealed record AccountDto(string Id, string Handle, string DisplayName, string Bio, string Kind, string? Profession, string? Employer,
    string Url, string? AvatarUrl, IReadOnlyList<LinkDto> Links, DateTime CreatedAt, int FollowersCount, int FollowingCount, int PostsCount)
{
    public static AccountDto From(Account a) => new(Str(a.Id), a.Acct, a.DisplayName, a.Bio, a.Kind.ToString().ToLowerInvariant(), a.Profession, a.Employer,
        $"/@{a.Acct}", a.AvatarMediaId is { } m ? $"/media/{Str(m)}" : null, a.ParsedLinks().Select(l => new LinkDto(l.Label, l.Url)).ToList(),
        a.CreatedAt, a.FollowersCount, a.FollowingCount, a.PostsCount);

    internal static string Str(long id) => id.ToString(CultureInfo.InvariantCulture);
}

public sealed record LinkDto(string Label, string Url);

public sealed record MediaDto(string Id, string Kind, string ContentType, string Url, string AltText, int? Width, int? Height, long Size)
{
    public static MediaDto From(MediaAttachment m) => new(AccountDto.Str(m.Id), m.Kind.ToString().ToLowerInvariant(), m.ContentType, $"/media/{AccountDto.Str(m.Id)}", m.AltText, m.Width, m.Height, m.Size);
}

public sealed record EnclosureDto(string Url, string? Type, long? Length);

public sealed record PostDto(string Id, string Kind, string Url, AccountDto Author, string Content, string ContentHtml, string? Title, string? Summary,
    string? InReplyToId, string ConversationId, string Visibility, string Status, DateTime CreatedAt, DateTime? EditedAt, bool Deleted,
    int RepliesCount, int LikesCount, int RepostsCount, bool Liked, bool Reposted, IReadOnlyList<MediaDto> Media, EnclosureDto? Enclosure,
    PostDto? RepostOf, DateTime? PublishAt, string? HeldReason)
{
    public static PostDto From(PostView v)
    {
        var p = v.Post;
        return new PostDto(AccountDto.Str(p.Id), p.RepostOfId is null ? p.Kind.ToString().ToLowerInvariant() : "repost", $"/@{v.Author.Acct}/{AccountDto.Str(p.Id)}",
            AccountDto.From(v.Author), p.Content, p.ContentHtml, p.Title, p.Summary,
            p.InReplyToId is { } r ? AccountDto.Str(r) : null, AccountDto.Str(p.ConversationId), p.Visibility.ToString().ToLowerInvariant(),
            p.Status.ToString().ToLowerInvariant(), p.CreatedAt, p.EditedAt, p.IsDeleted, p.RepliesCount, p.LikesCount, p.RepostsCount,
            v.Liked, v.Reposted, v.Media.Select(MediaDto.From).ToList(),
            p.IsDeleted ? null
                : p.EnclosureUrl is { } url ? new EnclosureDto(url, p.EnclosureType, p.EnclosureLength)
                : p.EnclosureMediaId is { } mid ? new EnclosureDto($"/media/{AccountDto.Str(mid)}", p.EnclosureType, p.EnclosureLength) : null,
            v.RepostOf is { } o ? From(o) : null, p.PublishAt, p.HeldReason);
    }

    /// <summary>A post without a reader's context (the author's own drafts, a new post).</summary>
    public static PostDto From(Post p, Account author) => From(new PostView(p, author, null, [], false, false));
}

public sealed record ThreadDto(PostDto Focus, IReadOnlyList<ThreadItemDto> Items, IReadOnlyList<GuestCommentDto> GuestComments);

public sealed record ThreadItemDto(int Depth, PostDto Post);

public sealed record GuestCommentDto(string Id, string ArticleId, string Name, string Content, string Status, DateTime CreatedAt, string? HeldReason)
{
    public static GuestCommentDto From(GuestComment c) => new(AccountDto.Str(c.Id), AccountDto.Str(c.ArticleId), c.Name, c.Content, c.Status.ToString().ToLowerInvariant(), c.CreatedAt, c.HeldReason);
}

public sealed record RelationshipDto(string Id, bool Following, bool FollowedBy, bool Blocking, bool BlockedBy, bool Muting, bool Requested)
{
    public static RelationshipDto From(long id, Relationship r) => new(AccountDto.Str(id), r.Following, r.FollowedBy, r.Blocking, r.BlockedBy, r.Muting, r.Requested);
}

public sealed record NotificationDto(string Id, string Kind, DateTime CreatedAt, bool Read, AccountDto? Actor, string? PostId)
{
    public static NotificationDto From(NotificationView n) => new(AccountDto.Str(n.Notification.Id), n.Notification.Kind.ToString().ToLowerInvariant(),
        n.Notification.CreatedAt, n.Notification.ReadAt is not null, n.Actor is null ? null : AccountDto.From(n.Actor), n.Notification.PostId is { } p ? AccountDto.Str(p) : null);
}

public sealed record FindingDto(string Rule, int Start, int End, string Severity, string Message, string? Suggestion);

public sealed record SearchDto(IReadOnlyList<PostDto> Posts, IReadOnlyList<AccountDto> Accounts, IReadOnlyList<TagCountDto> Tags);

public sealed record TagCountDto(string Name, int Posts, string Url);

public sealed record UnreadDto(int Count);

public sealed record TokenDto(string AccessToken, string TokenType, AccountDto Account);

// Requests.

public sealed record OrganisationMemberDto(AccountDto Account, string Role);

public sealed record OrganisationRequest(string? Handle, string? DisplayName, string? Bio);

public sealed record MemberRequest(string? Handle, string? Role);

public sealed record SignUpRequest(string? Handle, string? DisplayName, string? Email, string? Password, string? Kind, string? Profession, string? Employer);

public sealed record TokenRequest(string? Email, string? Password, string? Name);

public sealed record ProfileRequest(string? DisplayName, string? Bio, string? Profession, string? Employer, IReadOnlyList<LinkDto>? Links);

public sealed record PostRequest(string? Text, string? Kind, string? Title, string? Summary, string? InReplyToId, string? Visibility,
    IReadOnlyList<string>? MediaIds, string? EnclosureUrl, string? EnclosureMediaId, DateTime? PublishAt, bool? Draft, bool? ConfirmWarnings);

public sealed record PublishRequest(bool? ConfirmWarnings, DateTime? PublishAt);

public sealed record GuestCommentRequest(string? Name, string? Email, string? Text, string? Website);

public sealed record ModerateRequest(bool? Trust);

public sealed record AltTextRequest(string? AltText);

/// <summary>The account's password, asked for again before the account is deleted.</summary>
public sealed record PasswordConfirmation(string? Password);

public sealed record SafetyCheckRequest(string? Text, bool? HasImages);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(List<PostDto>))]
[JsonSerializable(typeof(PostDto))]
[JsonSerializable(typeof(AccountDto))]
[JsonSerializable(typeof(ThreadDto))]
[JsonSerializable(typeof(List<NotificationDto>))]
[JsonSerializable(typeof(SearchDto))]
[JsonSerializable(typeof(List<FindingDto>))]
[JsonSerializable(typeof(TokenDto))]
[JsonSerializable(typeof(RelationshipDto))]
[JsonSerializable(typeof(UnreadDto))]
[JsonSerializable(typeof(MediaDto))]
[JsonSerializable(typeof(GuestCommentDto))]
[JsonSerializable(typeof(List<GuestCommentDto>))]
[JsonSerializable(typeof(List<AccountDto>))]
[JsonSerializable(typeof(SignUpRequest))]
[JsonSerializable(typeof(List<OrganisationMemberDto>))]
[JsonSerializable(typeof(OrganisationMemberDto))]
[JsonSerializable(typeof(OrganisationRequest))]
[JsonSerializable(typeof(MemberRequest))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(ProfileRequest))]
[JsonSerializable(typeof(PostRequest))]
[JsonSerializable(typeof(PublishRequest))]
[JsonSerializable(typeof(GuestCommentRequest))]
[JsonSerializable(typeof(ModerateRequest))]
[JsonSerializable(typeof(AltTextRequest))]
[JsonSerializable(typeof(PasswordConfirmation))]
[JsonSerializable(typeof(SafetyCheckRequest))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails))]
public sealed partial class ApiJson : JsonSerializerContext;
