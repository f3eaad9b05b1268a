using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drawbridge.Mastodon;

// Mastodon's entities (mastodon/documentation content/en/entities), as its apps read them: snake_case, every documented
// key present, null where empty, ids as strings. They stay in this folder: the domain never sees them.

public sealed record MastodonError(string Error);

/// <summary>An error on a streaming connection: the message and the HTTP status it stands for.</summary>
public sealed record MastodonStreamError(string Error, int Status);

public sealed record OAuthError(string Error, string ErrorDescription);

public sealed record EmptyObject;

public sealed record MastodonApplication(string Id, string Name, string? Website, IReadOnlyList<string> Scopes, string RedirectUri,
    IReadOnlyList<string> RedirectUris, string VapidKey,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientSecret,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ClientSecretExpiresAt);

public sealed record OAuthToken(string AccessToken, string TokenType, string Scope, long CreatedAt);

public sealed record OAuthServerMetadata(string Issuer, string ServiceDocumentation, string AuthorizationEndpoint, string TokenEndpoint,
    string RevocationEndpoint, string AppRegistrationEndpoint, IReadOnlyList<string> ScopesSupported, IReadOnlyList<string> ResponseTypesSupported,
    IReadOnlyList<string> ResponseModesSupported, IReadOnlyList<string> CodeChallengeMethodsSupported, IReadOnlyList<string> GrantTypesSupported,
    IReadOnlyList<string> TokenEndpointAuthMethodsSupported);

public sealed record MastodonField(string Name, string Value, DateTime? VerifiedAt);

public sealed record MastodonEmoji(string Shortcode, string Url, string StaticUrl, bool VisibleInPicker, string? Category);

public sealed record MastodonAccount(string Id, string Username, string Acct, string Url, string Uri, string DisplayName, string Note,
    string Avatar, string AvatarStatic, string Header, string HeaderStatic, bool Locked, IReadOnlyList<MastodonField> Fields,
    IReadOnlyList<MastodonEmoji> Emojis, bool Bot, bool Group, bool? Discoverable, bool? Noindex, bool Indexable, bool HideCollections,
    DateTime CreatedAt, string? LastStatusAt, int StatusesCount, int FollowersCount, int FollowingCount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MastodonSource? Source,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MastodonRole? Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DrawbridgeAccountExtension? Drawbridge);

/// <summary>What Mastodon's Account has no word for: whether this is a professional or an organisation, and their work.</summary>
public sealed record DrawbridgeAccountExtension(string Kind, string? Profession, string? Employer);

public sealed record MastodonSource(string Privacy, bool Sensitive, string? Language, string Note, IReadOnlyList<MastodonField> Fields, int FollowRequestsCount,
    bool Indexable, bool? Discoverable, bool? HideCollections);

public sealed record MastodonRole(string Id, string Name, string Color, string Permissions, bool Highlighted);

public sealed record MastodonMention(string Id, string Username, string Url, string Acct);

public sealed record MastodonTag(string Name, string Url);

public sealed record MastodonMediaMeta(MastodonMediaSize? Original, MastodonMediaSize? Small);

public sealed record MastodonMediaSize(int Width, int Height, string Size, double Aspect);

public sealed record MastodonMedia(string Id, string Type, string? Url, string? PreviewUrl, string? RemoteUrl, string? TextUrl,
    MastodonMediaMeta Meta, string? Description, string? Blurhash);

public sealed record MastodonStatus(string Id, string Uri, DateTime CreatedAt, MastodonAccount Account, string Content, string Visibility,
    bool Sensitive, string SpoilerText, IReadOnlyList<MastodonMedia> MediaAttachments, MastodonApplicationRef? Application,
    IReadOnlyList<MastodonMention> Mentions, IReadOnlyList<MastodonTag> Tags, IReadOnlyList<MastodonEmoji> Emojis,
    int ReblogsCount, int FavouritesCount, int RepliesCount, int QuotesCount, string? Url, string? InReplyToId, string? InReplyToAccountId,
    MastodonStatus? Reblog, JsonElement? Poll, JsonElement? Card, string? Language, string? Text, DateTime? EditedAt,
    bool? Favourited, bool? Reblogged, bool? Muted, bool? Bookmarked, bool? Pinned, IReadOnlyList<MastodonFilterResult>? Filtered,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DrawbridgeStatusExtension? Drawbridge);

public sealed record MastodonApplicationRef(string Name, string? Website);

/// <summary>An article's own parts, which Mastodon's Status has no key for.</summary>
public sealed record DrawbridgeStatusExtension(string Kind, string? Title, string? Summary);

public sealed record MastodonNotification(string Id, string Type, string GroupKey, DateTime CreatedAt, MastodonAccount Account, MastodonStatus? Status);

public sealed record MastodonRelationship(string Id, bool Following, bool ShowingReblogs, bool Notifying, IReadOnlyList<string>? Languages,
    bool FollowedBy, bool Blocking, bool BlockedBy, bool Muting, bool MutingNotifications, bool Requested, bool RequestedBy,
    bool DomainBlocking, bool Endorsed, string Note);

public sealed record MastodonContext(IReadOnlyList<MastodonStatus> Ancestors, IReadOnlyList<MastodonStatus> Descendants);

public sealed record MastodonMarker(string LastReadId, int Version, DateTime UpdatedAt);

public sealed record MastodonSearch(IReadOnlyList<MastodonAccount> Accounts, IReadOnlyList<MastodonStatus> Statuses, IReadOnlyList<MastodonFullTag> Hashtags);

/// <summary>Mastodon's Tag entity (a hashtag); its id is its name, which is what <c>/api/v1/tags/:id</c> takes.</summary>
public sealed record MastodonFullTag(string Id, string Name, string Url, IReadOnlyList<MastodonTagHistory> History, bool? Following);

public sealed record MastodonConversation(string Id, bool Unread, IReadOnlyList<MastodonAccount> Accounts, MastodonStatus? LastStatus);

public sealed record MastodonList(string Id, string Title, string RepliesPolicy, bool Exclusive);

public sealed record MastodonFilter(string Id, string Title, IReadOnlyList<string> Context, DateTime? ExpiresAt, string FilterAction,
    IReadOnlyList<MastodonFilterKeyword> Keywords, IReadOnlyList<MastodonFilterStatus> Statuses);

public sealed record MastodonFilterKeyword(string Id, string Keyword, bool WholeWord);

public sealed record MastodonFilterStatus(string Id, string StatusId);

public sealed record MastodonFilterResult(MastodonFilter Filter, IReadOnlyList<string>? KeywordMatches, IReadOnlyList<string>? StatusMatches);

public sealed record MastodonStatusEdit(string Content, string SpoilerText, bool Sensitive, DateTime CreatedAt, MastodonAccount Account,
    JsonElement? Poll, IReadOnlyList<MastodonMedia> MediaAttachments, IReadOnlyList<MastodonEmoji> Emojis,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DrawbridgeStatusExtension? Drawbridge);

public sealed record MastodonStatusSource(string Id, string Text, string SpoilerText,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DrawbridgeStatusExtension? Drawbridge);

public sealed record MastodonTagHistory(string Day, string Uses, string Accounts);

public sealed class MastodonPreferences
{
    [JsonPropertyName("posting:default:visibility")] public string DefaultVisibility { get; init; } = "public";
    [JsonPropertyName("posting:default:sensitive")] public bool DefaultSensitive { get; init; }
    [JsonPropertyName("posting:default:language")] public string? DefaultLanguage { get; init; }
    [JsonPropertyName("reading:expand:media")] public string ExpandMedia { get; init; } = "default";
    [JsonPropertyName("reading:expand:spoilers")] public bool ExpandSpoilers { get; init; }
}

// Instance (v2 and v1): what the apps read at start-up.

public sealed record InstanceV2(string Domain, string Title, string Version, string SourceUrl, string Description, InstanceUsage Usage,
    InstanceThumbnail Thumbnail, IReadOnlyList<JsonElement> Icon, IReadOnlyList<string> Languages, InstanceConfiguration Configuration,
    InstanceRegistrations Registrations, IReadOnlyDictionary<string, int> ApiVersions, InstanceContact Contact, IReadOnlyList<InstanceRule> Rules);

public sealed record InstanceUsage(InstanceUsers Users);

public sealed record InstanceUsers(int ActiveMonth);

public sealed record InstanceThumbnail(string Url, string? Blurhash, JsonElement? Versions);

public sealed record InstanceConfiguration(InstanceUrls Urls, InstanceVapid Vapid, InstanceAccounts Accounts, InstanceStatuses Statuses,
    InstanceMediaAttachments MediaAttachments, InstancePolls Polls, InstanceTranslation Translation);

public sealed record InstanceUrls(string Streaming, string? Status, string? About, string? PrivacyPolicy, string? TermsOfService);

public sealed record InstanceVapid(string PublicKey);

public sealed record InstanceAccounts(int MaxFeaturedTags, int MaxPinnedStatuses);

public sealed record InstanceStatuses(int MaxCharacters, int MaxMediaAttachments, int CharactersReservedPerUrl);

public sealed record InstanceMediaAttachments(IReadOnlyList<string> SupportedMimeTypes, int DescriptionLimit, long ImageSizeLimit, long ImageMatrixLimit,
    long VideoSizeLimit, int VideoFrameRateLimit, long VideoMatrixLimit);

public sealed record InstancePolls(int MaxOptions, int MaxCharactersPerOption, int MinExpiration, int MaxExpiration);

public sealed record InstanceTranslation(bool Enabled);

public sealed record InstanceRegistrations(bool Enabled, bool ApprovalRequired, string? Message, string? Url);

public sealed record InstanceContact(string Email, MastodonAccount? Account);

public sealed record InstanceRule(string Id, string Text, string Hint);

public sealed record InstanceV1(string Uri, string Title, string ShortDescription, string Description, string Email, string Version,
    InstanceV1Urls Urls, InstanceV1Stats Stats, string? Thumbnail, IReadOnlyList<string> Languages, bool Registrations, bool ApprovalRequired,
    bool InvitesEnabled, InstanceV1Configuration Configuration, MastodonAccount? ContactAccount, IReadOnlyList<InstanceRule> Rules);

public sealed record InstanceV1Urls(string StreamingApi);

public sealed record InstanceV1Stats(int UserCount, int StatusCount, int DomainCount);

public sealed record InstanceV1Configuration(InstanceAccounts Accounts, InstanceStatuses Statuses, InstanceMediaAttachments MediaAttachments, InstancePolls Polls);

/// <summary>Mastodon's time format: RFC 3339 in UTC with milliseconds (apps parse at most three fractional digits).</summary>
public sealed class MastodonTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(MastodonTimeConverter)])]
[JsonSerializable(typeof(MastodonError))]
[JsonSerializable(typeof(MastodonStreamError))]
[JsonSerializable(typeof(OAuthError))]
[JsonSerializable(typeof(EmptyObject))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(MastodonApplication))]
[JsonSerializable(typeof(OAuthToken))]
[JsonSerializable(typeof(OAuthServerMetadata))]
[JsonSerializable(typeof(MastodonAccount))]
[JsonSerializable(typeof(List<MastodonAccount>))]
[JsonSerializable(typeof(MastodonStatus))]
[JsonSerializable(typeof(List<MastodonStatus>))]
[JsonSerializable(typeof(MastodonNotification))]
[JsonSerializable(typeof(List<MastodonNotification>))]
[JsonSerializable(typeof(MastodonRelationship))]
[JsonSerializable(typeof(List<MastodonRelationship>))]
[JsonSerializable(typeof(MastodonContext))]
[JsonSerializable(typeof(Dictionary<string, MastodonMarker>))]
[JsonSerializable(typeof(MastodonSearch))]
[JsonSerializable(typeof(MastodonPreferences))]
[JsonSerializable(typeof(InstanceV2))]
[JsonSerializable(typeof(InstanceV1))]
[JsonSerializable(typeof(List<JsonElement>))]
[JsonSerializable(typeof(MastodonMedia))]
[JsonSerializable(typeof(MastodonFullTag))]
[JsonSerializable(typeof(List<MastodonFullTag>))]
[JsonSerializable(typeof(MastodonConversation))]
[JsonSerializable(typeof(List<MastodonConversation>))]
[JsonSerializable(typeof(MastodonList))]
[JsonSerializable(typeof(List<MastodonList>))]
[JsonSerializable(typeof(MastodonFilter))]
[JsonSerializable(typeof(List<MastodonFilter>))]
[JsonSerializable(typeof(MastodonFilterKeyword))]
[JsonSerializable(typeof(List<MastodonFilterKeyword>))]
[JsonSerializable(typeof(List<MastodonStatusEdit>))]
[JsonSerializable(typeof(MastodonStatusSource))]
public sealed partial class MastodonJson : JsonSerializerContext;
