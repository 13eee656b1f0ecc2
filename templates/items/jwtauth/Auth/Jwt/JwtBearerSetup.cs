using AuthApiTemplate.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthApiTemplate.Auth.Jwt;

/// <summary>
/// JwtBearer as RFC 8725 and SECURITY.md ask: one algorithm, our issuer and audience, typed access
/// tokens only, a short clock skew, no claim renaming, and no key ever taken from the token itself.
/// </summary>
internal sealed class JwtBearerSetup(
    IOptions<JwtOptions> jwtOptions,
    JwtSigningKey signingKey,
    JwtValidationCache validationCache,
    TimeProvider time) : IConfigureNamedOptions<JwtBearerOptions>
{
    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != JwtBearerDefaults.AuthenticationScheme)
        {
            return;
        }

        var jwt = jwtOptions.Value;
        options.MapInboundClaims = false;
        // Nothing reads the token back from the ticket; storing it cost every request a few hundred bytes.
        options.SaveToken = false;
        options.IncludeErrorDetails = true;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new CachingJsonWebTokenHandler(validationCache.Cache, time));
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidTypes = [TokenService.AccessTokenType],
            // The key is ours alone: kid, jku, jwk and x5u in a token header are never consulted.
            IssuerSigningKeyResolver = (_, _, _, _) => [signingKey.Key],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = jwt.ClockSkew,
            NameClaimType = ApiClaimTypes.Subject,
            RoleClaimType = ApiClaimTypes.Role,
        };
        options.Events = new JwtBearerEvents { OnTokenValidated = RejectRevokedAsync, OnChallenge = LogRefusal };
    }

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    /// <summary>A valid signature is not enough: the token, its session and its user must still be in good standing.</summary>
    private static async Task RejectRevokedAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        var services = context.HttpContext.RequestServices;
        var aborted = context.HttpContext.RequestAborted;

        if (principal.FindFirst(JwtRegisteredClaimNames.Jti) is null
            || !Guid.TryParse(principal.FindFirst(TokenService.SessionIdClaim)?.Value, out var sessionId)
            || !Guid.TryParse(principal.FindFirst(ApiClaimTypes.Subject)?.Value, out var userId)
            || !long.TryParse(principal.FindFirst(ApiClaimTypes.AuthTime)?.Value, out var authTime))
        {
            context.Fail("The access token lacks a required claim.");
            return;
        }

        if (await services.GetRequiredService<TokenRevocationList>().IsRevokedAsync(sessionId, aborted))
        {
            context.Fail("The access token has been revoked.");
            return;
        }

        var state = await services.GetRequiredService<UserSecurityStates>().GetAsync(userId, aborted);
        if (!state.Allows(DateTimeOffset.FromUnixTimeSeconds(authTime)))
        {
            context.Fail("The user's sessions have ended or the user is disabled.");
        }
    }

    /// <summary>
    /// One warning per refused token, with why, who and the trace id the problem body carries. The reason
    /// is the failure's kind (or one of this plugin's own fixed messages), never the token or its claims.
    /// </summary>
    private static Task LogRefusal(JwtBearerChallengeContext context)
    {
        if (context.AuthenticateFailure is { } failure)
        {
            var http = context.HttpContext;
            JwtLog.TokenRefused(
                http.RequestServices.GetRequiredService<ILogger<JwtBearerSetup>>(),
                ReasonFor(failure),
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier);
        }

        return Task.CompletedTask;
    }

    private static string ReasonFor(Exception failure) => failure switch
    {
        AuthenticationFailureException => failure.Message,
        SecurityTokenExpiredException => "expired",
        SecurityTokenNotYetValidException => "not yet valid",
        SecurityTokenNoExpirationException => "no expiry",
        SecurityTokenInvalidLifetimeException => "invalid lifetime",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "bad signature",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenInvalidTypeException => "not an access token",
        SecurityTokenInvalidAlgorithmException => "algorithm not allowed",
        SecurityTokenMalformedException or ArgumentException => "malformed",
        _ => failure.GetType().Name,
    };
}

internal static partial class JwtLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Bearer token refused ({Reason}), client {Client}, trace {TraceId}")]
    public static partial void TokenRefused(ILogger logger, string reason, string client, string traceId);
}

/// <summary>The bounded memory that <see cref="CachingJsonWebTokenHandler"/> keeps validated tokens in.</summary>
public sealed class JwtValidationCache : IDisposable
{
    public MemoryCache Cache { get; } = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public void Dispose() => Cache.Dispose();
}
