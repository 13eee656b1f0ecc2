using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
#if (anyAuth)
using AuthApiTemplate.Auth;
#endif

namespace AuthApiTemplate.Usage;

public static partial class UsageEndpoints
{
    public const string ReadScope = "usage:read";
    public const int DefaultTop = 10;
    public const int MaxTop = 100;
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(400);

    public static IEndpointRouteBuilder MapUsageEndpoints(this IEndpointRouteBuilder app)
    {
        var usage = app.MapGroup("/usage")
            .WithTags("Usage")
            .WithMetadata(new ExcludeFromUsageTrackingAttribute())
            .AddEndpointFilter(RequireInstantsWithOffset);
#if (anyAuth)
        usage.RequireScope(ReadScope, SignedInUserAccess.AdminOnly);
#endif

        usage.MapGet("/stats", StatsAsync).WithName("GetUsageStats")
            .WithSummary("Requests, error rate and latency percentiles over a window (every request, whatever the sampling rate); per status class with statusClasses=true.");
        usage.MapGet("/endpoints", EndpointsAsync).WithName("GetUsageEndpoints")
            .WithSummary("The busiest endpoints by route template; requests that matched no endpoint are one row.");
        usage.MapGet("/errors", ErrorsAsync).WithName("GetUsageErrors")
            .WithSummary("4xx and 5xx responses by endpoint and status code.");
        usage.MapGet("/users", UsersAsync).WithName("GetUsageConsumers")
            .WithSummary("The busiest consumers: user ids, apikey:<id> or anonymous, with the user's email or the key's name when the app knows it.");
        usage.MapGet("/realtime", (UsageQueries queries) => TypedResults.Ok(queries.Realtime())).WithName("GetUsageRealtime")
            .WithSummary("The last 60 seconds from memory, per second.");
        var cleanup = usage.MapPost("/cleanup", CleanupAsync).WithName("RunUsageCleanup")
            .WithSummary("Fold old minute rollups into hours and delete rows past their retention, now.");
#if (anyAuth)
        cleanup.RequireAuthorization(policy => policy.RequireRole(ApiRoles.Admin));
#else
        _ = cleanup;
#endif

        var dashboard = app.MapGet("/usage/dashboard", UsageDashboard.Render)
            .WithMetadata(new ExcludeFromUsageTrackingAttribute())
            .ExcludeFromDescription();
#if (anyAuth)
        // The page holds no data; it calls the protected routes above with the visitor's own credentials.
        dashboard.AllowAnonymous();
#else
        _ = dashboard;
#endif
        return app;
    }

    private static async Task<Results<Ok<UsageStatsResponse>, ValidationProblem>> StatsAsync(
        UsageQueries queries, TimeProvider time, CancellationToken cancellationToken,
        DateTimeOffset? from = null, DateTimeOffset? to = null, int? interval = null, bool statusClasses = false)
    {
        if (!TryGetWindow(time, from, to, out var window, out var problem))
        {
            return problem;
        }

        if (interval is { } seconds && (seconds < 60 || (window.To - window.From).TotalSeconds / seconds > 2000))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["interval"] = ["interval is in seconds, at least 60, and gives at most 2000 points over the window."],
            });
        }

        return TypedResults.Ok(await queries.StatsAsync(window.From, window.To, interval, statusClasses, cancellationToken));
    }

    private static async Task<Results<Ok<IReadOnlyList<UsageEndpointResponse>>, ValidationProblem>> EndpointsAsync(
        UsageQueries queries, TimeProvider time, CancellationToken cancellationToken,
        DateTimeOffset? from = null, DateTimeOffset? to = null, int top = DefaultTop)
    {
        if (!TryGetWindow(time, from, to, out var window, out var problem) || !TryGetTop(top, out problem))
        {
            return problem;
        }

        return TypedResults.Ok(await queries.EndpointsAsync(window.From, window.To, top, cancellationToken));
    }

    private static async Task<Results<Ok<IReadOnlyList<UsageErrorResponse>>, ValidationProblem>> ErrorsAsync(
        UsageQueries queries, TimeProvider time, CancellationToken cancellationToken,
        DateTimeOffset? from = null, DateTimeOffset? to = null, int top = DefaultTop)
    {
        if (!TryGetWindow(time, from, to, out var window, out var problem) || !TryGetTop(top, out problem))
        {
            return problem;
        }

        return TypedResults.Ok(await queries.ErrorsAsync(window.From, window.To, top, cancellationToken));
    }

    private static async Task<Results<Ok<IReadOnlyList<UsageConsumerResponse>>, ValidationProblem>> UsersAsync(
        UsageQueries queries, TimeProvider time, CancellationToken cancellationToken,
        DateTimeOffset? from = null, DateTimeOffset? to = null, int top = DefaultTop)
    {
        if (!TryGetWindow(time, from, to, out var window, out var problem) || !TryGetTop(top, out problem))
        {
            return problem;
        }

        return TypedResults.Ok(await queries.ConsumersAsync(window.From, window.To, top, cancellationToken));
    }

    private static async Task<Ok<UsageCleanupResponse>> CleanupAsync(UsageMaintenance maintenance, CancellationToken cancellationToken)
    {
        var result = await maintenance.RunAsync(cancellationToken);
        return TypedResults.Ok(new UsageCleanupResponse(result.RawRowsDeleted, result.MinuteRollupsDownsampled, result.RollupsDeleted));
    }

    /// <summary>Defaults to the last 24 hours; a period counts when it starts inside [from, to).</summary>
    private static bool TryGetWindow(
        TimeProvider time, DateTimeOffset? from, DateTimeOffset? to,
        out (DateTimeOffset From, DateTimeOffset To) window, out ValidationProblem problem)
    {
        var end = to ?? time.GetUtcNow();
        // A `to` within a day of year 1 has no default `from`: subtracting would leave the calendar.
        var start = from ?? (end - DateTimeOffset.MinValue > DefaultWindow ? end - DefaultWindow : DateTimeOffset.MinValue);
        window = (start, end);
        problem = null!;
        if (start >= end || end - start > MaxWindow)
        {
            problem = TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["from"] = [$"from must be before to, at most {MaxWindow.TotalDays} days apart (ISO 8601, e.g. 2026-01-31T00:00:00Z)."],
            });
            return false;
        }

        return true;
    }

    /// <summary>
    /// The framework reads <c>from</c> and <c>to</c> with DateTimeOffset's lenient parser, which takes
    /// "11/27/2026" and reads a time without an offset in the server's own time zone. A window must mean
    /// the same instant on every server, so only an ISO 8601 date and time with an offset gets through.
    /// </summary>
    private static ValueTask<object?> RequireInstantsWithOffset(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var query = context.HttpContext.Request.Query;
        foreach (var name in (ReadOnlySpan<string>)["from", "to"])
        {
            if (query.TryGetValue(name, out var value) && !IsoInstantWithOffset().IsMatch(value.ToString()))
            {
                return ValueTask.FromResult<object?>(TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    [name] = [$"{name} must be an ISO 8601 date and time with an offset, e.g. 2026-01-31T00:00:00Z."],
                }));
            }
        }

        return next(context);
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex IsoInstantWithOffset();

    private static bool TryGetTop(int top, out ValidationProblem problem)
    {
        problem = null!;
        if (top is < 1 or > MaxTop)
        {
            problem = TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["top"] = [$"top must be between 1 and {MaxTop}."],
            });
            return false;
        }

        return true;
    }
}
