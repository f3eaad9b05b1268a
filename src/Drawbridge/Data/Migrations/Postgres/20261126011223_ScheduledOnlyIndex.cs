using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Drawbridge.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ScheduledOnlyIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_posts_Status_PublishAt",
                table: "posts");

            migrationBuilder.CreateIndex(
                name: "IX_posts_Status_PublishAt",
                table: "posts",
                columns: new[] { "Status", "PublishAt" },
                filter: "\"Status\" = 1");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_posts_Status_PublishAt",
                table: "posts");

            migrationBuilder.CreateIndex(
                name: "IX_posts_Status_PublishAt",
                table: "posts",
                columns: new[] { "Status", "PublishAt" });
        }
    }
}
