using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Drawbridge.Data.Migrations.Postgres
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
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.CreateTable(
                name: "delivery_domains",
                columns: table => new
                {
                    Domain = table.Column<string>(type: "character varying(260)", maxLength: 260, nullable: false),
                    Failures = table.Column<int>(type: "integer", nullable: false),
                    FirstFailureAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LastFailureAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LastSuccessAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    PausedUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_delivery_domains", x => x.Domain);
                });

            migrationBuilder.CreateTable(
                name: "delivery_gone_inboxes",
                columns: table => new
                {
                    Inbox = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    GoneAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
