using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Drawbridge.Data.Migrations.Sqlite
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ClassifiedByModelId",
                table: "inbox_items",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ThemeCorrected",
                table: "inbox_items",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Themes",
                table: "inbox_items",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "inbox_theme_corrections",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    ItemId = table.Column<long>(type: "INTEGER", nullable: false),
                    FrameworkName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ThemeIds = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    CorrectedById = table.Column<long>(type: "INTEGER", nullable: false),
                    CorrectedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbox_theme_corrections", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "insights_models",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: true),
                    FrameworkName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    FrameworkVersion = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    FrameworkJson = table.Column<string>(type: "TEXT", nullable: false),
                    DataFileName = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    DataFile = table.Column<byte[]>(type: "BLOB", nullable: false),
                    DataReadAs = table.Column<string>(type: "TEXT", maxLength: 30, nullable: true),
                    Rows = table.Column<int>(type: "INTEGER", nullable: false),
                    Corrections = table.Column<int>(type: "INTEGER", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    Stage = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Done = table.Column<int>(type: "INTEGER", nullable: false),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    QualityJson = table.Column<string>(type: "TEXT", nullable: true),
                    Model = table.Column<byte[]>(type: "BLOB", nullable: true),
                    IsActive = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedById = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    TrainedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ActivatedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
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
