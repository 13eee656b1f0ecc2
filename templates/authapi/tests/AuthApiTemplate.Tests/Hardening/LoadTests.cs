using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using AuthApiTemplate.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AuthApiTemplate.Tests.Hardening;

/// <summary>
/// A bounded burst at the real app (its own process, on loopback): a fixed number of requests, many at
/// once, mixing valid and invalid credentials of every kind the app has. Nothing may answer 5xx, no valid
/// credential may be refused, no invalid one accepted, and the usage tracker must count every request.
/// </summary>
// A saturation run measures the app, not its neighbours: it runs alone, after or before the other classes.
[Collection(RunsAlone.Name)]
public sealed class LoadTests(ITestOutputHelper output) : IDisposable
{
    private const int Requests = 3000;
    private const int Concurrency = 48;
    private const string Route = "/items?limit=1";

    private readonly TestDatabase _database = new();

    [Fact]
    public async Task A_burst_of_valid_and_invalid_credentials_gets_no_5xx_and_every_request_is_counted()
    {
        var callers = await CallersAsync(_database.ConnectionString);
        await using var server = await AppServer.StartAsync(_database.ConnectionString, "Development", new Dictionary<string, string>
        {
            ["RateLimiting:Global:PermitLimit"] = "1000000",
            ["ApiKeys:DefaultPermitsPerMinute"] = "1000000",
            // Fewer invalid keys than this come from the one loopback client, so they are refused as invalid, not throttled.
            ["ApiKeys:FailedAttemptsPerMinute"] = "10000",
        });
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        // Every caller once before the burst. A cold process on a busy machine (JIT, a thread pool that starts
        // at one thread per core) can leave a Redis reply unread past its timeout, and a refusal then is the
        // fail-closed design working; the burst measures the app warm, as a load balancer sends it traffic
        // only once it is ready.
        foreach (var caller in callers)
        {
            using var warmUp = new HttpRequestMessage(HttpMethod.Get, Route);
            caller.Apply(warmUp);
            using var response = await client.SendAsync(warmUp);
            Assert.Equal(caller.Expected, (int)response.StatusCode);
        }

        var before = await CountedRequestsAsync(client, callers);

        var wrong = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await Parallel.ForAsync(0, Requests, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = deadline.Token }, async (i, cancellationToken) =>
        {
            var caller = callers[i % callers.Count];
            using var request = new HttpRequestMessage(HttpMethod.Get, Route);
            caller.Apply(request);
            using var response = await client.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status >= 500 || status != caller.Expected)
            {
                wrong.Add($"{caller.Name}: {status} (expected {caller.Expected}) {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        });
        clock.Stop();

        output.WriteLine($"{Requests} requests, {Concurrency} at a time, in {clock.Elapsed.TotalSeconds:F1} s ({Requests / clock.Elapsed.TotalSeconds:F0}/s): {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(wrong.IsEmpty, $"{wrong.Count} of {Requests} answers were wrong:\n" + string.Join('\n', wrong.Take(20))
            + "\nThe server's errors:\n" + ErrorsIn(server.Output));
        Assert.Equal(Requests, statuses.Values.Sum());
#if (usage)
        // The tracker answers from the store plus the minutes still in memory: nothing sent may be missing.
        // A request is recorded as its response completes, so the last few may trail the client by a moment.
        var counted = await CountedRequestsAsync(client, callers) - before;
        for (var attempt = 0; attempt < 20 && counted < Requests; attempt++)
        {
            await Task.Delay(250);
            counted = await CountedRequestsAsync(client, callers) - before;
        }

        Assert.Equal(Requests, counted);
#else
        Assert.Null(before);
#endif
    }

    public void Dispose() => _database.Dispose();

    /// <summary>The error entries of the server's console log, each with the lines that follow it (the exception).</summary>
    private static string ErrorsIn(string log)
    {
        var lines = log.Split('\n');
        var errors = lines
            .Select((line, index) => (line, index))
            .Where(l => l.line.StartsWith("fail:", StringComparison.Ordinal) || l.line.StartsWith("crit:", StringComparison.Ordinal))
            .Take(3)
            .Select(l => string.Join('\n', lines.Skip(l.index).Take(12)));
        return string.Join("\n…\n", errors);
    }

    /// <summary>/usage/stats' total (null without the usage tracker), read with an admin's credential.</summary>
    private static async Task<long?> CountedRequestsAsync(HttpClient client, IReadOnlyList<Caller> callers)
    {
#if (usage)
        using var request = new HttpRequestMessage(HttpMethod.Get, "/usage/stats");
        callers.FirstOrDefault(c => c.Valid && c.Name != "anonymous")?.Apply(request);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("totalRequests").GetInt64();
#else
        _ = client;
        _ = callers;
        await Task.CompletedTask;
        return null;
#endif
    }

    /// <summary>Every kind of caller the app has, valid and invalid, made the way an operator makes them.</summary>
    private static async Task<IReadOnlyList<Caller>> CallersAsync(string connectionString)
    {
        var callers = new List<Caller>();
#if (anyAuth)
        callers.Add(new Caller("anonymous", Valid: false, Expected: 401, _ => { }));
#else
        callers.Add(new Caller("anonymous", Valid: true, Expected: 200, _ => { }));
#endif
#if (jwtPlugin)
        await CommandAsync(connectionString, "users", "create", "load@example.com", "--roles", "admin");
        var pair = JsonDocument.Parse(await CommandAsync(connectionString, "tokens", "create", "load@example.com")).RootElement;
        var token = pair.GetProperty("accessToken").GetString()!;
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        callers.Add(new Caller("valid JWT", Valid: true, Expected: 200, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token)));
        callers.Add(new Caller("JWT with a bad signature", Valid: false, Expected: 401, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tampered)));
        callers.Add(new Caller("refresh token as a JWT", Valid: false, Expected: 401, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", pair.GetProperty("refreshToken").GetString())));
        callers.Add(new Caller("garbage JWT", Valid: false, Expected: 401, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "a.b.c")));
#endif
#if (apikeys)
        var key = await CommandAsync(connectionString, "apikeys", "create", "--name", "load", "--scopes", "*");
        callers.Add(new Caller("valid API key", Valid: true, Expected: 200, r => r.Headers.Add("X-API-Key", key)));
        callers.Add(new Caller("valid API key as Authorization", Valid: true, Expected: 200, r => r.Headers.TryAddWithoutValidation("Authorization", "ApiKey " + key)));
        callers.Add(new Caller("unknown API key", Valid: false, Expected: 401, r => r.Headers.Add("X-API-Key", Auth.ApiKeys.ApiKeyFormat.NewKey("ak"))));
        callers.Add(new Caller("malformed API key", Valid: false, Expected: 401, r => r.Headers.Add("X-API-Key", key[..^1])));
#endif
#if (!anyAuth)
        _ = connectionString;
#endif
        await Task.CompletedTask;
        return callers;
    }

#if (anyAuth)
    private static async Task<string> CommandAsync(string connectionString, params string[] args)
    {
        var (exitCode, stdout, errors) = await AppProcess.RunAsync(connectionString, "Development", args);
        Assert.True(exitCode == 0, errors);
        return AppProcess.LastLine(stdout);
    }
#endif

    private sealed record Caller(string Name, bool Valid, int Expected, Action<HttpRequestMessage> Apply);
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Load (runs alone)";
}
