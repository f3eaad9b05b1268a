using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Drawbridge.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class NamedJobQueuesAndDelivery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Queue",
                table: "jobs",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.CreateTable(
                name: "delivery_domains",
                columns: table => new
                {
                    Domain = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    Failures = table.Column<int>(type: "INTEGER", nullable: false),
                    FirstFailureAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastFailureAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastSuccessAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    PausedUntil = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_delivery_domains", x => x.Domain);
                });

            migrationBuilder.CreateTable(
                name: "delivery_gone_inboxes",
                columns: table => new
                {
                    Inbox = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    GoneAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_delivery_gone_inboxes", x => x.Inbox);
                });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_Queue_RunAt",
                table: "jobs",
                columns: new[] { "Queue", "RunAt" },
                filter: "\"CompletedAt\" IS NULL AND \"FailedAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "delivery_domains");

            migrationBuilder.DropTable(
                name: "delivery_gone_inboxes");

            migrationBuilder.DropIndex(
                name: "IX_jobs_Queue_RunAt",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "Queue",
                table: "jobs");
        }
    }
}
