using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthApiTemplate.Auth.Google.Handoff.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialGoogleHandoff : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "GoogleLoginCodes",
                columns: table => new
                {
                    CodeHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UsedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GoogleLoginCodes", x => x.CodeHash);
                });

            migrationBuilder.CreateIndex(
                name: "IX_GoogleLoginCodes_ExpiresAt",
                table: "GoogleLoginCodes",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "GoogleLoginCodes");
        }
    }
}
