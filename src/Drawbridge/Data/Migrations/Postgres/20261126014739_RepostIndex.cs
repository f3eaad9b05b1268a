using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Drawbridge.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RepostIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_posts_RepostOfId",
                table: "posts");

            migrationBuilder.CreateIndex(
                name: "IX_posts_RepostOfId_AuthorId",
                table: "posts",
                columns: new[] { "RepostOfId", "AuthorId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_posts_RepostOfId_AuthorId",
                table: "posts");

            migrationBuilder.CreateIndex(
                name: "IX_posts_RepostOfId",
                table: "posts",
                column: "RepostOfId");
        }
    }
}
