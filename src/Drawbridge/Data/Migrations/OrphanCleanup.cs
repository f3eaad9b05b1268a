using Microsoft.EntityFrameworkCore.Migrations;

namespace Drawbridge.Data.Migrations;

/// <summary>
/// Rows that point at a row no longer there, removed before the foreign keys that forbid them are added (PostgreSQL
/// refuses to add a key that existing rows break; SQLite would keep them and fail later on an update). Earlier versions
/// deleted by hand and could leave, for example, a like on a removed repost.
/// </summary>
internal static class OrphanCleanup
{
    private static readonly string[] Statements =
    [
        """DELETE FROM posts WHERE "AuthorId" NOT IN (SELECT "Id" FROM accounts)""",
        """UPDATE posts SET "InReplyToId" = NULL WHERE "InReplyToId" IS NOT NULL AND "InReplyToId" NOT IN (SELECT "Id" FROM posts)""",
        """DELETE FROM posts WHERE "RepostOfId" IS NOT NULL AND "RepostOfId" NOT IN (SELECT "Id" FROM posts)""",
        """DELETE FROM post_edits WHERE "PostId" NOT IN (SELECT "Id" FROM posts)""",
        """DELETE FROM post_tags WHERE "PostId" NOT IN (SELECT "Id" FROM posts)""",
        """DELETE FROM post_mentions WHERE "PostId" NOT IN (SELECT "Id" FROM posts) OR "AccountId" NOT IN (SELECT "Id" FROM accounts)""",
        """DELETE FROM likes WHERE "PostId" NOT IN (SELECT "Id" FROM posts) OR "AccountId" NOT IN (SELECT "Id" FROM accounts)""",
        """DELETE FROM guest_comments WHERE "ArticleId" NOT IN (SELECT "Id" FROM posts)""",
        """DELETE FROM trusted_commenters WHERE "AuthorId" NOT IN (SELECT "Id" FROM accounts)""",
        """DELETE FROM media WHERE "OwnerId" NOT IN (SELECT "Id" FROM accounts) OR ("PostId" IS NOT NULL AND "PostId" NOT IN (SELECT "Id" FROM posts))""",
        """DELETE FROM follows WHERE "FollowerId" NOT IN (SELECT "Id" FROM accounts) OR "FolloweeId" NOT IN (SELECT "Id" FROM accounts)""",
        """DELETE FROM blocks WHERE "BlockerId" NOT IN (SELECT "Id" FROM accounts) OR "BlockedId" NOT IN (SELECT "Id" FROM accounts)""",
        """DELETE FROM mutes WHERE "MuterId" NOT IN (SELECT "Id" FROM accounts) OR "MutedId" NOT IN (SELECT "Id" FROM accounts)""",
        """DELETE FROM notifications WHERE "RecipientId" NOT IN (SELECT "Id" FROM accounts) OR ("ActorId" IS NOT NULL AND "ActorId" NOT IN (SELECT "Id" FROM accounts)) OR ("PostId" IS NOT NULL AND "PostId" NOT IN (SELECT "Id" FROM posts))""",
        """DELETE FROM organisation_members WHERE "OrganisationId" NOT IN (SELECT "Id" FROM accounts) OR "AccountId" NOT IN (SELECT "Id" FROM accounts)""",
        """DELETE FROM access_tokens WHERE "AccountId" NOT IN (SELECT "Id" FROM accounts) OR "UserId" NOT IN (SELECT "Id" FROM "AspNetUsers")""",
        """DELETE FROM "AspNetUsers" WHERE "AccountId" NOT IN (SELECT "Id" FROM accounts)""",
    ];

    public static void Run(MigrationBuilder migrationBuilder)
    {
        foreach (var sql in Statements)
        {
            migrationBuilder.Sql(sql + ";");
        }
    }
}
