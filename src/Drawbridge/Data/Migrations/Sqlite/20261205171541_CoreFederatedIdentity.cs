using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Drawbridge.Data.Migrations.Sqlite
{
    /// <summary>
    /// Federated identity (accounts: domain, URIs, keys, locked; posts: URI, local flag, URL; follows: state, URI) and
    /// foreign keys between rows that belong to each other. Rows that would break a new key are removed first
    /// (<see cref="OrphanCleanup"/>); a regenerated version of this migration must keep that call at its start.
    /// Every earlier post is local and every earlier follow accepted, by the columns' defaults.
    /// </summary>
    public partial class CoreFederatedIdentity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            OrphanCleanup.Run(migrationBuilder);

            migrationBuilder.DropIndex(
                name: "IX_accounts_HandleKey",
                table: "accounts");

            migrationBuilder.AddColumn<bool>(
                name: "Local",
                table: "posts",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<string>(
                name: "Uri",
                table: "posts",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Url",
                table: "posts",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "State",
                table: "follows",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Uri",
                table: "follows",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Domain",
                table: "accounts",
                type: "TEXT",
                maxLength: 253,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FeaturedUri",
                table: "accounts",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FollowersUri",
                table: "accounts",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "InboxUri",
                table: "accounts",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastFetchedAt",
                table: "accounts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Locked",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "OutboxUri",
                table: "accounts",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PrivateKeyPem",
                table: "accounts",
                type: "TEXT",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PublicKeyId",
                table: "accounts",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PublicKeyPem",
                table: "accounts",
                type: "TEXT",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SharedInboxUri",
                table: "accounts",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Uri",
                table: "accounts",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Url",
                table: "accounts",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_posts_Uri",
                table: "posts",
                column: "Uri",
                unique: true,
                filter: "\"Uri\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_notifications_ActorId",
                table: "notifications",
                column: "ActorId");

            migrationBuilder.CreateIndex(
                name: "IX_notifications_PostId",
                table: "notifications",
                column: "PostId");

            migrationBuilder.CreateIndex(
                name: "IX_mutes_MutedId",
                table: "mutes",
                column: "MutedId");

            migrationBuilder.CreateIndex(
                name: "IX_follows_Uri",
                table: "follows",
                column: "Uri",
                unique: true,
                filter: "\"Uri\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUsers_AccountId",
                table: "AspNetUsers",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_accounts_HandleKey_Domain_Remote",
                table: "accounts",
                columns: new[] { "HandleKey", "Domain" },
                unique: true,
                filter: "\"Domain\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_accounts_HandleKey_Local",
                table: "accounts",
                column: "HandleKey",
                unique: true,
                filter: "\"Domain\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_accounts_Uri",
                table: "accounts",
                column: "Uri",
                unique: true,
                filter: "\"Uri\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_access_tokens_UserId",
                table: "access_tokens",
                column: "UserId");

            migrationBuilder.AddForeignKey(
                name: "FK_access_tokens_AspNetUsers_UserId",
                table: "access_tokens",
                column: "UserId",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_access_tokens_accounts_AccountId",
                table: "access_tokens",
                column: "AccountId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_AspNetUsers_accounts_AccountId",
                table: "AspNetUsers",
                column: "AccountId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_blocks_accounts_BlockedId",
                table: "blocks",
                column: "BlockedId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_blocks_accounts_BlockerId",
                table: "blocks",
                column: "BlockerId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_follows_accounts_FolloweeId",
                table: "follows",
                column: "FolloweeId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_follows_accounts_FollowerId",
                table: "follows",
                column: "FollowerId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_guest_comments_posts_ArticleId",
                table: "guest_comments",
                column: "ArticleId",
                principalTable: "posts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_likes_accounts_AccountId",
                table: "likes",
                column: "AccountId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_likes_posts_PostId",
                table: "likes",
                column: "PostId",
                principalTable: "posts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_media_accounts_OwnerId",
                table: "media",
                column: "OwnerId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_media_posts_PostId",
                table: "media",
                column: "PostId",
                principalTable: "posts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_mutes_accounts_MutedId",
                table: "mutes",
                column: "MutedId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_mutes_accounts_MuterId",
                table: "mutes",
                column: "MuterId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_notifications_accounts_ActorId",
                table: "notifications",
                column: "ActorId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_notifications_accounts_RecipientId",
                table: "notifications",
                column: "RecipientId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_notifications_posts_PostId",
                table: "notifications",
                column: "PostId",
                principalTable: "posts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_organisation_members_accounts_AccountId",
                table: "organisation_members",
                column: "AccountId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_organisation_members_accounts_OrganisationId",
                table: "organisation_members",
                column: "OrganisationId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_post_edits_posts_PostId",
                table: "post_edits",
                column: "PostId",
                principalTable: "posts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_post_mentions_accounts_AccountId",
                table: "post_mentions",
                column: "AccountId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_post_mentions_posts_PostId",
                table: "post_mentions",
                column: "PostId",
                principalTable: "posts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_post_tags_posts_PostId",
                table: "post_tags",
                column: "PostId",
                principalTable: "posts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_posts_accounts_AuthorId",
                table: "posts",
                column: "AuthorId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_posts_posts_InReplyToId",
                table: "posts",
                column: "InReplyToId",
                principalTable: "posts",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "FK_posts_posts_RepostOfId",
                table: "posts",
                column: "RepostOfId",
                principalTable: "posts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_trusted_commenters_accounts_AuthorId",
                table: "trusted_commenters",
                column: "AuthorId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_access_tokens_AspNetUsers_UserId",
                table: "access_tokens");

            migrationBuilder.DropForeignKey(
                name: "FK_access_tokens_accounts_AccountId",
                table: "access_tokens");

            migrationBuilder.DropForeignKey(
                name: "FK_AspNetUsers_accounts_AccountId",
                table: "AspNetUsers");

            migrationBuilder.DropForeignKey(
                name: "FK_blocks_accounts_BlockedId",
                table: "blocks");

            migrationBuilder.DropForeignKey(
                name: "FK_blocks_accounts_BlockerId",
                table: "blocks");

            migrationBuilder.DropForeignKey(
                name: "FK_follows_accounts_FolloweeId",
                table: "follows");

            migrationBuilder.DropForeignKey(
                name: "FK_follows_accounts_FollowerId",
                table: "follows");

            migrationBuilder.DropForeignKey(
                name: "FK_guest_comments_posts_ArticleId",
                table: "guest_comments");

            migrationBuilder.DropForeignKey(
                name: "FK_likes_accounts_AccountId",
                table: "likes");

            migrationBuilder.DropForeignKey(
                name: "FK_likes_posts_PostId",
                table: "likes");

            migrationBuilder.DropForeignKey(
                name: "FK_media_accounts_OwnerId",
                table: "media");

            migrationBuilder.DropForeignKey(
                name: "FK_media_posts_PostId",
                table: "media");

            migrationBuilder.DropForeignKey(
                name: "FK_mutes_accounts_MutedId",
                table: "mutes");

            migrationBuilder.DropForeignKey(
                name: "FK_mutes_accounts_MuterId",
                table: "mutes");

            migrationBuilder.DropForeignKey(
                name: "FK_notifications_accounts_ActorId",
                table: "notifications");

            migrationBuilder.DropForeignKey(
                name: "FK_notifications_accounts_RecipientId",
                table: "notifications");

            migrationBuilder.DropForeignKey(
                name: "FK_notifications_posts_PostId",
                table: "notifications");

            migrationBuilder.DropForeignKey(
                name: "FK_organisation_members_accounts_AccountId",
                table: "organisation_members");

            migrationBuilder.DropForeignKey(
                name: "FK_organisation_members_accounts_OrganisationId",
                table: "organisation_members");

            migrationBuilder.DropForeignKey(
                name: "FK_post_edits_posts_PostId",
                table: "post_edits");

            migrationBuilder.DropForeignKey(
                name: "FK_post_mentions_accounts_AccountId",
                table: "post_mentions");

            migrationBuilder.DropForeignKey(
                name: "FK_post_mentions_posts_PostId",
                table: "post_mentions");

            migrationBuilder.DropForeignKey(
                name: "FK_post_tags_posts_PostId",
                table: "post_tags");

            migrationBuilder.DropForeignKey(
                name: "FK_posts_accounts_AuthorId",
                table: "posts");

            migrationBuilder.DropForeignKey(
                name: "FK_posts_posts_InReplyToId",
                table: "posts");

            migrationBuilder.DropForeignKey(
                name: "FK_posts_posts_RepostOfId",
                table: "posts");

            migrationBuilder.DropForeignKey(
                name: "FK_trusted_commenters_accounts_AuthorId",
                table: "trusted_commenters");

            migrationBuilder.DropIndex(
                name: "IX_posts_Uri",
                table: "posts");

            migrationBuilder.DropIndex(
                name: "IX_notifications_ActorId",
                table: "notifications");

            migrationBuilder.DropIndex(
                name: "IX_notifications_PostId",
                table: "notifications");

            migrationBuilder.DropIndex(
                name: "IX_mutes_MutedId",
                table: "mutes");

            migrationBuilder.DropIndex(
                name: "IX_follows_Uri",
                table: "follows");

            migrationBuilder.DropIndex(
                name: "IX_AspNetUsers_AccountId",
                table: "AspNetUsers");

            migrationBuilder.DropIndex(
                name: "IX_accounts_HandleKey_Domain_Remote",
                table: "accounts");

            migrationBuilder.DropIndex(
                name: "IX_accounts_HandleKey_Local",
                table: "accounts");

            migrationBuilder.DropIndex(
                name: "IX_accounts_Uri",
                table: "accounts");

            migrationBuilder.DropIndex(
                name: "IX_access_tokens_UserId",
                table: "access_tokens");

            migrationBuilder.DropColumn(
                name: "Local",
                table: "posts");

            migrationBuilder.DropColumn(
                name: "Uri",
                table: "posts");

            migrationBuilder.DropColumn(
                name: "Url",
                table: "posts");

            migrationBuilder.DropColumn(
                name: "State",
                table: "follows");

            migrationBuilder.DropColumn(
                name: "Uri",
                table: "follows");

            migrationBuilder.DropColumn(
                name: "Domain",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "FeaturedUri",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "FollowersUri",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "InboxUri",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "LastFetchedAt",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "Locked",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "OutboxUri",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "PrivateKeyPem",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "PublicKeyId",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "PublicKeyPem",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "SharedInboxUri",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "Uri",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "Url",
                table: "accounts");

            migrationBuilder.CreateIndex(
                name: "IX_accounts_HandleKey",
                table: "accounts",
                column: "HandleKey",
                unique: true);
        }
    }
}
