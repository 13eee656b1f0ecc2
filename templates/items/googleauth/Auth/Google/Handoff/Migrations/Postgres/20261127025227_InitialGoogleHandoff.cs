using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthApiTemplate.Auth.Google.Handoff.Migrations.Postgres
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
                    CodeHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false),
                    UsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
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
