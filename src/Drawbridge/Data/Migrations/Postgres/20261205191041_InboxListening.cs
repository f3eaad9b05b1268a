using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Drawbridge.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InboxListening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IncludeInInbox",
                table: "organisation_members",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "inbox_history",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    ItemId = table.Column<long>(type: "bigint", nullable: false),
                    ActorId = table.Column<long>(type: "bigint", nullable: true),
                    What = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbox_history", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "inbox_items",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    AddressedToId = table.Column<long>(type: "bigint", nullable: false),
                    Source = table.Column<int>(type: "integer", nullable: false),
                    State = table.Column<int>(type: "integer", nullable: false),
                    AssigneeId = table.Column<long>(type: "bigint", nullable: true),
                    AuthorAccountId = table.Column<long>(type: "bigint", nullable: true),
                    AuthorName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ContactEmail = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    PostId = table.Column<long>(type: "bigint", nullable: true),
                    GuestCommentId = table.Column<long>(type: "bigint", nullable: true),
                    Service = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Text = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: false),
                    SearchText = table.Column<string>(type: "character varying(5300)", maxLength: 5300, nullable: false),
                    HeldReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Theme = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Sentiment = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true),
                    Critical = table.Column<bool>(type: "boolean", nullable: false),
                    ResponseText = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: true),
                    ResponsePostId = table.Column<long>(type: "bigint", nullable: true),
                    RespondedById = table.Column<long>(type: "bigint", nullable: true),
                    RespondedAsOrganisation = table.Column<bool>(type: "boolean", nullable: false),
                    RespondedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ReceivedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ClosedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbox_items", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "inbox_notes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    ItemId = table.Column<long>(type: "bigint", nullable: false),
                    AuthorId = table.Column<long>(type: "bigint", nullable: false),
                    Text = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbox_notes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "organisation_post_authors",
                columns: table => new
                {
                    PostId = table.Column<long>(type: "bigint", nullable: false),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    StaffAccountId = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_organisation_post_authors", x => x.PostId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_history_ItemId_Id",
                table: "inbox_history",
                columns: new[] { "ItemId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_AssigneeId_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "AssigneeId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_Critical_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "Critical", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_GuestCommentId",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "GuestCommentId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_PostId",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "PostId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_State_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "State", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_Theme_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "Theme", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_notes_ItemId_Id",
                table: "inbox_notes",
                columns: new[] { "ItemId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_organisation_post_authors_OrganisationId_PostId",
                table: "organisation_post_authors",
                columns: new[] { "OrganisationId", "PostId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inbox_history");

            migrationBuilder.DropTable(
                name: "inbox_items");

            migrationBuilder.DropTable(
                name: "inbox_notes");

            migrationBuilder.DropTable(
                name: "organisation_post_authors");

            migrationBuilder.DropColumn(
                name: "IncludeInInbox",
                table: "organisation_members");
        }
    }
}
