using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace AuthApiTemplate.Usage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InitialUsage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "UsageConsumerRollups",
                columns: table => new
                {
                    BucketSeconds = table.Column<int>(type: "integer", nullable: false),
                    PeriodStart = table.Column<long>(type: "bigint", nullable: false),
                    Method = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Route = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    StatusCode = table.Column<int>(type: "integer", nullable: false),
                    Consumer = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Requests = table.Column<long>(type: "bigint", nullable: false),
                    DurationMsSum = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageConsumerRollups", x => new { x.BucketSeconds, x.PeriodStart, x.Method, x.Route, x.StatusCode, x.Consumer });
                });

            migrationBuilder.CreateTable(
                name: "UsageEndpointRollups",
                columns: table => new
                {
                    BucketSeconds = table.Column<int>(type: "integer", nullable: false),
                    PeriodStart = table.Column<long>(type: "bigint", nullable: false),
                    Method = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Route = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Requests = table.Column<long>(type: "bigint", nullable: false),
                    ClientErrors = table.Column<long>(type: "bigint", nullable: false),
                    ServerErrors = table.Column<long>(type: "bigint", nullable: false),
                    DurationMsSum = table.Column<double>(type: "double precision", nullable: false),
                    RequestBytes = table.Column<long>(type: "bigint", nullable: false),
                    ResponseBytes = table.Column<long>(type: "bigint", nullable: false),
                    Histogram = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageEndpointRollups", x => new { x.BucketSeconds, x.PeriodStart, x.Method, x.Route });
                });

            migrationBuilder.CreateTable(
                name: "UsageRequests",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Timestamp = table.Column<long>(type: "bigint", nullable: false),
                    Method = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Route = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    StatusCode = table.Column<int>(type: "integer", nullable: false),
                    DurationMs = table.Column<double>(type: "double precision", nullable: false),
                    Consumer = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    RequestBytes = table.Column<long>(type: "bigint", nullable: false),
                    ResponseBytes = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "UsageTotals",
                columns: table => new
                {
                    BucketSeconds = table.Column<int>(type: "integer", nullable: false),
                    PeriodStart = table.Column<long>(type: "bigint", nullable: false),
                    Requests = table.Column<long>(type: "bigint", nullable: false),
                    ClientErrors = table.Column<long>(type: "bigint", nullable: false),
                    ServerErrors = table.Column<long>(type: "bigint", nullable: false),
                    DurationMsSum = table.Column<double>(type: "double precision", nullable: false),
                    Histogram = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageTotals", x => new { x.BucketSeconds, x.PeriodStart });
                });

            migrationBuilder.CreateIndex(
                name: "IX_UsageConsumerRollups_PeriodStart",
                table: "UsageConsumerRollups",
                column: "PeriodStart");

            migrationBuilder.CreateIndex(
                name: "IX_UsageEndpointRollups_PeriodStart",
                table: "UsageEndpointRollups",
                column: "PeriodStart");

            migrationBuilder.CreateIndex(
                name: "IX_UsageRequests_Timestamp",
                table: "UsageRequests",
                column: "Timestamp");

            migrationBuilder.CreateIndex(
                name: "IX_UsageTotals_PeriodStart",
                table: "UsageTotals",
                column: "PeriodStart");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UsageConsumerRollups");

            migrationBuilder.DropTable(
                name: "UsageEndpointRollups");

            migrationBuilder.DropTable(
                name: "UsageRequests");

            migrationBuilder.DropTable(
                name: "UsageTotals");
        }
    }
}
