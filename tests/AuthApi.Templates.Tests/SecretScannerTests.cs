using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using AuthApi.Templates.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace AuthApi.Templates.Tests;

/// <summary>The after-suite secret scan finds what is planted and nothing else (no pack, no scaffold needed).</summary>
public sealed class SecretScannerTests : IDisposable
{
    private readonly DirectoryInfo _sink = Directory.CreateTempSubdirectory("authapi-sink-test-");

    private static readonly string AccessToken =
        Base64Url.EncodeToString("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}"u8) + "." +
        Base64Url.EncodeToString("{\"sub\":\"0195\",\"jti\":\"abc\"}"u8) + "." +
        Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    // 43 base64url characters with every character class, as a real one has but for a one-in-a-thousand chance.
    private static readonly string RefreshToken = "Q7" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(30)) + "x";

    private static readonly string ApiKey = "ak_" + RandomBase62(49);

    [Fact]
    public void Planted_credentials_in_logs_are_found_and_reported_without_their_value()
    {
        WriteLog(
            "info: request 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 started",
            $"warn: Authorization: Bearer {AccessToken}",
            $"warn: refresh {RefreshToken} presented",
            $"warn: X-API-Key={ApiKey};",
            // Built at run time, so that secret scanners of the repository do not take the test for a leak.
            $"warn: secret {"GOCSPX"}-{"abcdefghijklmnopqrstuvwxyz12"} in config",
            $"warn: code={"4/0"}AfJohXkq1pvTyzVQ3lH6n7hx8Ws_t2c0 from google");

        var hits = SecretScanner.ScanSink(_sink.FullName, []);

        Assert.Equal(["JWT", "refresh token or login code (256 random bits)", "API key", "Google client secret", "Google authorization code"], hits.Select(h => h.Kind));
        Assert.Equal(["line 2", "line 3", "line 4", "line 5", "line 6"], hits.Select(h => h.Location));
        var report = string.Join('\n', hits);
        Assert.All(new[] { AccessToken, RefreshToken, ApiKey }, secret => Assert.DoesNotContain(secret, report, StringComparison.Ordinal));
    }

    [Fact]
    public void Declared_and_configured_secrets_are_found_literally()
    {
        const string declared = "a-declared-test-client-secret";
        const string configured = "c2lnbmluZy1rZXktdGhhdC1pcy1jb25maWd1cmVk";
        File.WriteAllText(Path.Combine(_sink.FullName, SecretScanner.DeclaredSecretsFile), declared + "\nshort\n");
        WriteLog($"fail: the secret {declared} leaked", $"fail: and {configured}", "info: a short value is not a secret");

        var hits = SecretScanner.ScanSink(_sink.FullName, [configured]);

        Assert.Equal(["line 1", "line 2"], hits.Select(h => h.Location));
        Assert.All(hits, hit => Assert.Equal("configured or declared secret", hit.Kind));
    }

    [Fact]
    public void Every_text_and_blob_column_of_every_table_is_scanned()
    {
        var database = Path.Combine(_sink.FullName, "databases", "x", "app.db");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE "Harmless" ("Id" INTEGER, "Name" TEXT, "Hash" BLOB);
                CREATE TABLE "Leaky" ("Id" INTEGER, "Note" TEXT, "Raw" BLOB);
                INSERT INTO "Harmless" VALUES (1, 'concurrent-1', randomblob(32));
                INSERT INTO "Leaky" VALUES (1, 'fine', NULL);
                INSERT INTO "Leaky" VALUES (2, $token, $key);
                """;
            command.Parameters.AddWithValue("$token", "token " + AccessToken);
            command.Parameters.AddWithValue("$key", Encoding.ASCII.GetBytes(ApiKey));
            command.ExecuteNonQuery();
        }

        var hits = SecretScanner.ScanSink(_sink.FullName, []);

        Assert.Equal(["Leaky.Note row 2: JWT", "Leaky.Raw row 2: API key"], hits.Select(h => $"{h.Location}: {h.Kind}"));
    }

    [Fact]
    public void Ordinary_log_lines_are_not_mistaken_for_secrets()
    {
        WriteLog(
            "info: Microsoft.EntityFrameworkCore.Migrations[20402] Applying migration '20261127002129_InitialCreate'.",
            "warn: Invalid API key ak_Gc5FJTFW from 127.0.0.1 (request 0HNQC66SF75GA:00000040)",
            "info: trace 00-2f69ed932aa57e89164026ac65b00641-5cb5c908e3a347ed-00 user 01a21ae4-5182-7fb8-b6e8-084725b706b7",
            $"info: refresh token {new string('r', 43)} and key ak_{new string('A', 49)} are test look-alikes",
            $"info: folder /tmp/authapi/databases/{Guid.NewGuid():N}/app.db, hash {Convert.ToHexString(SHA256.HashData("x"u8))}",
            "info: JWT header alone eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9 is not a token",
            "info: Passed A_bad_signing_key_stops_the_app(key: \"Y2hhbmdlbWVjaGFuZ2VtZWNoYW5nZW1lY2hhbmdlbWU=\")",
            "  Passed Acme.Tests.ApiKeys.ApiKeyAdminTests.Invalid_requests_are_a_400_naming_the_field(json: \"{}\")");

        Assert.Empty(SecretScanner.ScanSink(_sink.FullName, []));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _sink.Delete(recursive: true);
    }

    private void WriteLog(params string[] lines)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_sink.FullName, "logs"));
        File.WriteAllLines(Path.Combine(folder.FullName, "app-1.log"), lines);
    }

    private static string RandomBase62(int length)
    {
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        // Starts with one of each class, so the look-alike filter cannot reject the planted key by chance.
        return "A1b" + RandomNumberGenerator.GetString(alphabet, length - 3);
    }
}
