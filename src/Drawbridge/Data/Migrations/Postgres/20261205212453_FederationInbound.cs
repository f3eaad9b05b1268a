using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Drawbridge.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FederationInbound : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AvatarUrl",
                table: "accounts",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "HeaderUrl",
                table: "accounts",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "MovedToAccountId",
                table: "accounts",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "domain_blocks",
                columns: table => new
                {
                    Domain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    Severity = table.Column<int>(type: "integer", nullable: false),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_domain_blocks", x => x.Domain);
                });

            migrationBuilder.CreateTable(
                name: "inbound_activities",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    ActivityUri = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    Type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ActorUri = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    RecipientId = table.Column<long>(type: "bigint", nullable: true),
                    Body = table.Column<string>(type: "character varying(1048576)", maxLength: 1048576, nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ProcessedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Outcome = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbound_activities", x => x.Id);
                    table.ForeignKey(
                        name: "FK_inbound_activities_accounts_RecipientId",
                        column: x => x.RecipientId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "remote_reports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    ActivityUri = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    ReporterId = table.Column<long>(type: "bigint", nullable: true),
                    ReporterUri = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    TargetAccountId = table.Column<long>(type: "bigint", nullable: true),
                    PostIds = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Comment = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_remote_reports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_remote_reports_accounts_ReporterId",
                        column: x => x.ReporterId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_remote_reports_accounts_TargetAccountId",
                        column: x => x.TargetAccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "server_keys",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PublicKeyPem = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false),
                    PrivateKeyPem = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false),
                    KeyId = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_server_keys", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_accounts_MovedToAccountId",
                table: "accounts",
                column: "MovedToAccountId");

            migrationBuilder.CreateIndex(
                name: "IX_accounts_PublicKeyId",
                table: "accounts",
                column: "PublicKeyId");

            migrationBuilder.CreateIndex(
                name: "IX_inbound_activities_ActivityUri",
                table: "inbound_activities",
                column: "ActivityUri",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_inbound_activities_ReceivedAt",
                table: "inbound_activities",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_inbound_activities_RecipientId",
                table: "inbound_activities",
                column: "RecipientId");

            migrationBuilder.CreateIndex(
                name: "IX_remote_reports_ActivityUri",
                table: "remote_reports",
                column: "ActivityUri",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_remote_reports_ReporterId",
                table: "remote_reports",
                column: "ReporterId");

            migrationBuilder.CreateIndex(
                name: "IX_remote_reports_TargetAccountId",
                table: "remote_reports",
                column: "TargetAccountId");

            migrationBuilder.AddForeignKey(
                name: "FK_accounts_accounts_MovedToAccountId",
                table: "accounts",
                column: "MovedToAccountId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_accounts_accounts_MovedToAccountId",
                table: "accounts");

            migrationBuilder.DropTable(
                name: "domain_blocks");

            migrationBuilder.DropTable(
                name: "inbound_activities");

            migrationBuilder.DropTable(
                name: "remote_reports");

            migrationBuilder.DropTable(
                name: "server_keys");

            migrationBuilder.DropIndex(
                name: "IX_accounts_MovedToAccountId",
                table: "accounts");

            migrationBuilder.DropIndex(
                name: "IX_accounts_PublicKeyId",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "AvatarUrl",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "HeaderUrl",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "MovedToAccountId",
                table: "accounts");
        }
    }
}
