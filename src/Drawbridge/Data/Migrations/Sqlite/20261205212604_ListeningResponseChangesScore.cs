using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Drawbridge.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ListeningResponseChangesScore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_inbox_items_OrganisationId_State_Id",
                table: "inbox_items");

            migrationBuilder.DropIndex(
                name: "IX_inbox_items_OrganisationId_Theme_Id",
                table: "inbox_items");

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_State_Critical_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "State", "Critical", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_Theme_State_Critical_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "Theme", "State", "Critical", "Id" });

            migrationBuilder.CreateTable(
                name: "change_record_items",
                columns: table => new
                {
                    ChangeId = table.Column<long>(type: "INTEGER", nullable: false),
                    ItemId = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_change_record_items", x => new { x.ChangeId, x.ItemId });
                });

            migrationBuilder.CreateTable(
                name: "change_records",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 150, nullable: false),
                    YouSaid = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    WeDid = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Service = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    Review = table.Column<int>(type: "INTEGER", nullable: false),
                    InternalNote = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    DraftedById = table.Column<long>(type: "INTEGER", nullable: false),
                    PublishedById = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    MadeAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    PublishedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_change_records", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "organisation_listening_settings",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Nation = table.Column<int>(type: "INTEGER", nullable: false),
                    OpensAtMinute = table.Column<int>(type: "INTEGER", nullable: false),
                    ClosesAtMinute = table.Column<int>(type: "INTEGER", nullable: false),
                    OpenDays = table.Column<int>(type: "INTEGER", nullable: false),
                    ResponseTargetHours = table.Column<int>(type: "INTEGER", nullable: false),
                    WeeklyDigest = table.Column<bool>(type: "INTEGER", nullable: false),
                    LastDigestWeek = table.Column<DateTime>(type: "TEXT", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_organisation_listening_settings", x => x.OrganisationId);
                });

            migrationBuilder.CreateTable(
                name: "two_way_score_consents",
                columns: table => new
                {
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    PublicSince = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_two_way_score_consents", x => x.AccountId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_change_record_items_ItemId",
                table: "change_record_items",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_change_records_OrganisationId_Review_PublishedAt",
                table: "change_records",
                columns: new[] { "OrganisationId", "Review", "PublishedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_inbox_items_OrganisationId_State_Critical_Id",
                table: "inbox_items");

            migrationBuilder.DropIndex(
                name: "IX_inbox_items_OrganisationId_Theme_State_Critical_Id",
                table: "inbox_items");

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_State_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "State", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_Theme_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "Theme", "Id" });

            migrationBuilder.DropTable(
                name: "change_record_items");

            migrationBuilder.DropTable(
                name: "change_records");

            migrationBuilder.DropTable(
                name: "organisation_listening_settings");

            migrationBuilder.DropTable(
                name: "two_way_score_consents");
        }
    }
}
