using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Drawbridge.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InsightsModels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "ClassifiedAt",
                table: "inbox_items",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ClassifiedByModelId",
                table: "inbox_items",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ThemeCorrected",
                table: "inbox_items",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Themes",
                table: "inbox_items",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "inbox_theme_corrections",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    ItemId = table.Column<long>(type: "bigint", nullable: false),
                    FrameworkName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ThemeIds = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    CorrectedById = table.Column<long>(type: "bigint", nullable: false),
                    CorrectedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbox_theme_corrections", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "insights_models",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: true),
                    FrameworkName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    FrameworkVersion = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    FrameworkJson = table.Column<string>(type: "text", nullable: false),
                    DataFileName = table.Column<string>(type: "character varying(260)", maxLength: 260, nullable: false),
                    DataFile = table.Column<byte[]>(type: "bytea", nullable: false),
                    DataReadAs = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true),
                    Rows = table.Column<int>(type: "integer", nullable: false),
                    Corrections = table.Column<int>(type: "integer", nullable: false),
                    State = table.Column<int>(type: "integer", nullable: false),
                    Stage = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Done = table.Column<int>(type: "integer", nullable: false),
                    Total = table.Column<int>(type: "integer", nullable: false),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    QualityJson = table.Column<string>(type: "text", nullable: true),
                    Model = table.Column<byte[]>(type: "bytea", nullable: true),
                    IsActive = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedById = table.Column<long>(type: "bigint", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    TrainedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ActivatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_insights_models", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_ClassifiedAt_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "ClassifiedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_theme_corrections_OrganisationId_ItemId_Id",
                table: "inbox_theme_corrections",
                columns: new[] { "OrganisationId", "ItemId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_insights_models_OrganisationId_Id",
                table: "insights_models",
                columns: new[] { "OrganisationId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_insights_models_OrganisationId_IsActive",
                table: "insights_models",
                columns: new[] { "OrganisationId", "IsActive" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inbox_theme_corrections");

            migrationBuilder.DropTable(
                name: "insights_models");

            migrationBuilder.DropIndex(
                name: "IX_inbox_items_OrganisationId_ClassifiedAt_Id",
                table: "inbox_items");

            migrationBuilder.DropColumn(
                name: "ClassifiedAt",
                table: "inbox_items");

            migrationBuilder.DropColumn(
                name: "ClassifiedByModelId",
                table: "inbox_items");

            migrationBuilder.DropColumn(
                name: "ThemeCorrected",
                table: "inbox_items");

            migrationBuilder.DropColumn(
                name: "Themes",
                table: "inbox_items");
        }
    }
}
