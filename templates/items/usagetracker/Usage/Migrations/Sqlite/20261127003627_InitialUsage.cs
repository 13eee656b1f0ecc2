using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthApiTemplate.Usage.Migrations.Sqlite
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
                    BucketSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    PeriodStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Method = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Route = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    StatusCode = table.Column<int>(type: "INTEGER", nullable: false),
                    Consumer = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Requests = table.Column<long>(type: "INTEGER", nullable: false),
                    DurationMsSum = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageConsumerRollups", x => new { x.BucketSeconds, x.PeriodStart, x.Method, x.Route, x.StatusCode, x.Consumer });
                });

            migrationBuilder.CreateTable(
                name: "UsageEndpointRollups",
                columns: table => new
                {
                    BucketSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    PeriodStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Method = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Route = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Requests = table.Column<long>(type: "INTEGER", nullable: false),
                    ClientErrors = table.Column<long>(type: "INTEGER", nullable: false),
                    ServerErrors = table.Column<long>(type: "INTEGER", nullable: false),
                    DurationMsSum = table.Column<double>(type: "REAL", nullable: false),
                    RequestBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    ResponseBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    Histogram = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageEndpointRollups", x => new { x.BucketSeconds, x.PeriodStart, x.Method, x.Route });
                });

            migrationBuilder.CreateTable(
                name: "UsageRequests",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    Method = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Route = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    StatusCode = table.Column<int>(type: "INTEGER", nullable: false),
                    DurationMs = table.Column<double>(type: "REAL", nullable: false),
                    Consumer = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    RequestBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    ResponseBytes = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "UsageTotals",
                columns: table => new
                {
                    BucketSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    PeriodStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Requests = table.Column<long>(type: "INTEGER", nullable: false),
                    ClientErrors = table.Column<long>(type: "INTEGER", nullable: false),
                    ServerErrors = table.Column<long>(type: "INTEGER", nullable: false),
                    DurationMsSum = table.Column<double>(type: "REAL", nullable: false),
                    Histogram = table.Column<byte[]>(type: "BLOB", nullable: false)
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
