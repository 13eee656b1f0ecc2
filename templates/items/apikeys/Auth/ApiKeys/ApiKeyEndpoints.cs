using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.ApiKeys;

public static class ApiKeyEndpoints
{
    public const int MaxPermitsPerMinute = 1_000_000;

    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api-keys")
            .WithTags("API keys")
            .RequireScope(ApiScopes.ManageKeys, SignedInUserAccess.AdminOnly)
            .AddEndpointFilter(RefuseRotatedOutSecrets);

        keys.MapPost("/", CreateAsync).WithName("CreateApiKey").WithSummary("Create a key; its secret is in this response only.");
        keys.MapGet("/", ListAsync).WithName("ListApiKeys").WithSummary("List keys (never their secrets).");
        keys.MapGet("/{id:guid}", GetAsync).WithName("GetApiKey").WithSummary("Get one key.");
        keys.MapDelete("/{id:guid}", RevokeAsync).WithName("RevokeApiKey").WithSummary("Revoke a key; it stops working at once.");
        keys.MapPost("/{id:guid}/rotate", RotateAsync).WithName("RotateApiKey").WithSummary("Give a key a new secret; the old one works for the rotation grace period.");
        return app;
    }

    /// <summary>Problem type of the 403 that a key's previous secret gets on every key management route.</summary>
    public const string SecretRotatedProblemType = "urn:authapi:problem:secret-rotated";

    /// <summary>
    /// A rotated-out secret exists so that clients can switch over, nothing more: whoever leaked it must not
    /// be able to rotate the key back to themselves or mint a successor that outlives the sunset.
    /// </summary>
    private static ValueTask<object?> RefuseRotatedOutSecrets(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.User.HasClaim(c => c.Type == ApiKeyAuthenticationHandler.RotatedOutSecretClaim)
            ? ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                type: SecretRotatedProblemType,
                title: "The key's secret was rotated.",
                detail: "A previous secret, during its grace period, may call the API but not manage keys. Use the key's current secret."))
            : next(context);

    private static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem>> CreateAsync(
        CreateApiKeyRequest request, ClaimsPrincipal caller, ApiKeyStore store, IOptions<ApiKeyOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validate(request, caller, time.GetUtcNow());
        if (errors.Count == 0 && CallingKeyId(caller) is { } callingKeyId && await store.FindAsync(callingKeyId, cancellationToken) is { } callingKey)
        {
            foreach (var (field, message) in BeyondCallingKey(request.ExpiresAt, request.PermitsPerMinute, callingKey, options.Value.DefaultPermitsPerMinute))
            {
                errors[field] = [message];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var created = await store.CreateAsync(
            request.Name, request.Scopes, request.ExpiresAt, request.PermitsPerMinute,
            caller.FindFirstValue(ApiClaimTypes.Subject) ?? "unknown", cancellationToken);
        return TypedResults.Created($"/api-keys/{created.Key.Id}", CreatedApiKeyResponse.From(created));
    }

    private static async Task<Ok<List<ApiKeyResponse>>> ListAsync(ApiKeyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.ListAsync(cancellationToken)).Select(ApiKeyResponse.From).ToList());

    private static async Task<Results<Ok<ApiKeyResponse>, NotFound>> GetAsync(Guid id, ApiKeyStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } key ? TypedResults.Ok(ApiKeyResponse.From(key)) : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> RevokeAsync(Guid id, ApiKeyStore store, CancellationToken cancellationToken) =>
        await store.RevokeAsync(id, cancellationToken) is null ? TypedResults.NotFound() : TypedResults.NoContent();

    /// <summary>
    /// The new secret carries the key's scopes, expiry and rate limit, so an API key may only rotate keys it
    /// could have created itself: scopes it holds, an expiry no later than its own, a limit no higher than its
    /// own. Revoking takes power away and needs no such check; signed-in admins and the command line are not
    /// bound by a calling key.
    /// </summary>
    private static async Task<Results<Ok<CreatedApiKeyResponse>, NotFound, ProblemHttpResult>> RotateAsync(
        Guid id, ClaimsPrincipal caller, ApiKeyStore store, IOptions<ApiKeyOptions> options, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is not { RevokedAt: null } key)
        {
            return TypedResults.NotFound();
        }

        if (key.Scopes.Find(scope => !HoldsScope(caller, scope)) is { } beyond)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "The key holds more than the calling key.",
                detail: $"The rotated key would carry '{beyond}', which the calling key does not hold.");
        }

        if (CallingKeyId(caller) is { } callingKeyId && callingKeyId != key.Id
            && await store.FindAsync(callingKeyId, cancellationToken) is { } callingKey
            && BeyondCallingKey(key.ExpiresAt, key.PermitsPerMinute, callingKey, options.Value.DefaultPermitsPerMinute).ToList() is [_, ..] caps)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "The key outlasts or outpaces the calling key.",
                detail: "The rotated key exceeds the calling key's caps. " + string.Join(" ", caps.Select(cap => $"{cap.Field}: {cap.Message}")));
        }

        return TypedResults.Ok(CreatedApiKeyResponse.From(await store.RotateAsync(key, cancellationToken)));
    }

    private static bool ForgesOutput(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static Guid? CallingKeyId(ClaimsPrincipal caller) =>
        Guid.TryParse(caller.FindFirstValue(ApiClaimTypes.ApiKeyId), out var id) ? id : null;

    /// <summary>
    /// The caps a key may not exceed when it hands out a secret, by creating a key or rotating one: it may
    /// not outlive the calling key or call faster than it, or a manager key with an expiry or a low rate
    /// limit could obtain a successor without either.
    /// </summary>
    private static IEnumerable<(string Field, string Message)> BeyondCallingKey(DateTimeOffset? expiresAt, int? permitsPerMinute, ApiKey callingKey, int defaultPermitsPerMinute)
    {
        if (callingKey.ExpiresAt is { } callerExpires && (expiresAt is not { } expires || expires > callerExpires))
        {
            yield return ("expiresAt", $"At most the calling key's own expiry, {callerExpires.ToString("O", CultureInfo.InvariantCulture)}.");
        }

        var callerPermits = callingKey.PermitsPerMinute ?? defaultPermitsPerMinute;
        if ((permitsPerMinute ?? defaultPermitsPerMinute) > callerPermits)
        {
            yield return ("permitsPerMinute", $"At most the calling key's own limit, {callerPermits} a minute.");
        }
    }

    /// <summary>Signed-in admins hold every scope; an API key holds the scopes its own scopes cover.</summary>
    private static bool HoldsScope(ClaimsPrincipal? caller, string scope) =>
        caller is null || !caller.HasClaim(c => c.Type == ApiClaimTypes.ApiKeyId)
        || ScopeMatcher.Covers(caller.FindAll(ApiClaimTypes.Scope).Select(c => c.Value), scope);

    /// <summary>A refused scope as the error quotes it: enough to find it, never the whole of a huge value.</summary>
    private static string Shortened(string? scope) =>
        scope is { Length: > ShownScopeLength } ? scope[..ShownScopeLength] + "…" : scope ?? "null";

    private const int ShownScopeLength = 64;

    /// <summary>Checks a new key's fields; an API key may only hand out scopes it holds itself.</summary>
    public static Dictionary<string, string[]> Validate(CreateApiKeyRequest request, ClaimsPrincipal? caller, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > ApiKey.NameMaxLength)
        {
            errors["name"] = [$"The name is required and at most {ApiKey.NameMaxLength} characters."];
        }
        else if (request.Name.Any(ForgesOutput))
        {
            // Names are printed by `apikeys list`: a line break, a terminal escape or a bidirectional
            // override would forge its output.
            errors["name"] = ["The name may not contain control or formatting characters (line breaks, tabs, escapes, direction marks)."];
        }

        if (request.Scopes is null)
        {
            errors["scopes"] = ["The scopes are required (an empty list grants nothing)."];
        }
        else if (request.Scopes.Count > ApiKey.MaxScopes)
        {
            errors["scopes"] = [$"At most {ApiKey.MaxScopes} scopes."];
        }
        else
        {
            var problems = new List<string>();
            foreach (var scope in request.Scopes)
            {
                if (!ApiScopes.IsGrantable(scope))
                {
                    problems.Add($"'{Shortened(scope)}' is not a scope of this API (defined: {string.Join(", ", ApiScopes.All)}; '*' stands for one segment or, last, for everything below).");
                }
                else if (!HoldsScope(caller, scope))
                {
                    problems.Add($"'{scope}' is more than the calling key holds.");
                }
            }

            if (problems.Count > 0)
            {
                errors["scopes"] = [.. problems];
            }
        }

        if (request.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            errors["expiresAt"] = ["The expiry must be in the future."];
        }

        if (request.PermitsPerMinute is < 1 or > MaxPermitsPerMinute)
        {
            errors["permitsPerMinute"] = [$"Between 1 and {MaxPermitsPerMinute}."];
        }

        return errors;
    }
}
