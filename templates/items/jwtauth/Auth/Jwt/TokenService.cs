using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using AuthApiTemplate.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthApiTemplate.Auth.Jwt;

/// <summary>Issues, refreshes and revokes the token pairs of the JWT plugin.</summary>
public sealed partial class TokenService(
    JwtDbContext db,
    UserStore users,
    JwtSigningKey signingKey,
    TokenRevocationList revocations,
    IOptions<JwtOptions> options,
    TimeProvider time,
    ILogger<TokenService> logger)
{
    public const string AccessTokenType = "at+jwt";
    public const string SessionIdClaim = "sid";

    // 256 bits from the CSPRNG, base64url without padding: 43 characters.
    private const int RefreshTokenBytes = 32;
    private const int RefreshTokenLength = 43;

    private static readonly JsonWebTokenHandler TokenWriter = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly JwtOptions _options = options.Value;

    /// <summary>Starts a session for a user who has just signed in interactively.</summary>
    public async Task<TokenPair> IssueAsync(User user, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // auth_time has second precision in the token; the session starts on a whole second.
        var authTime = UserSecurityState.SessionStartFor(now, user.SessionsValidAfter);
        var refresh = NewRefreshToken(user.Id, familyId: Guid.CreateVersion7(now), authTime, now, now + _options.SessionMaxAge, out var refreshValue);
        db.RefreshTokens.Add(refresh);
        await db.SaveChangesAsync(cancellationToken);
        await DeleteEndedSessionsAsync(now, cancellationToken);
        return Pair(CreateAccessToken(user, authTime, refresh.FamilyId, now), refreshValue);
    }

    /// <summary>
    /// Trades a refresh token for a new pair. The token is spent by one conditional UPDATE, so of any
    /// number of concurrent attempts exactly one wins. A spent token presented again within
    /// <c>Jwt:RefreshReuseLeeway</c> is a concurrent refresh (two tabs, a client's retry) and leaves the
    /// session alone; presented later, it is a replay and ends the session.
    /// </summary>
    public async Task<RefreshResult> RefreshAsync(string? refreshToken, CancellationToken cancellationToken)
    {
        if (refreshToken is not { Length: RefreshTokenLength })
        {
            return RefreshResult.Refused;
        }

        var hash = Hash(refreshToken);
        var now = time.GetUtcNow();
        // A session ended while one of its refreshes was between spending a token and storing the next
        // leaves that next token unrevoked; checking the whole session here keeps it from ever refreshing.
        var spent = await db.RefreshTokens
            .Where(t => t.TokenHash == hash && t.UsedAt == null && t.RevokedAt == null
                && !db.RefreshTokens.Any(other => other.FamilyId == t.FamilyId && other.RevokedAt != null))
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UsedAt, now), cancellationToken);

        var token = await db.RefreshTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token is null)
        {
            return RefreshResult.Refused;
        }

        if (spent == 0)
        {
            if (token is { RevokedAt: null, UsedAt: { } usedAt } && now - usedAt < _options.RefreshReuseLeeway
                && !await db.RefreshTokens.AnyAsync(t => t.FamilyId == token.FamilyId && t.RevokedAt != null, cancellationToken))
            {
                // Ending the session here would kill the pair that the winning refresh has just handed out.
                return RefreshResult.SpentConcurrently;
            }

            if (token.RevokedAt is null)
            {
                // Spent before: a replay. Unspent: a token its session's end missed.
                if (token.UsedAt is not null)
                {
                    LogRefreshTokenReuse(logger, token.FamilyId, token.UserId);
                }

                await EndSessionAsync(token.FamilyId, now, cancellationToken);
            }

            return RefreshResult.Refused;
        }

        var user = await users.FindByIdAsync(token.UserId, cancellationToken);
        // The user row just read, not the cached state: a `users disable` from the command line (another
        // process) cannot evict this process's cache, and refreshing must not outlast it.
        if (now >= token.ExpiresAt || now >= token.SessionExpiresAt || user is null
            || !new UserSecurityState(Exists: true, user.Disabled, user.SessionsValidAfter).Allows(token.AuthTime))
        {
            await EndSessionAsync(token.FamilyId, now, cancellationToken);
            return RefreshResult.Refused;
        }

        var next = NewRefreshToken(user.Id, token.FamilyId, token.AuthTime, now, token.SessionExpiresAt, out var refreshValue);
        db.RefreshTokens.Add(next);
        await db.SaveChangesAsync(cancellationToken);
        return new RefreshResult(Pair(CreateAccessToken(user, token.AuthTime, token.FamilyId, now), refreshValue), SpentJustBefore: false);
    }

    /// <summary>
    /// Logout: the presented access token and its whole session stop working now. The session's entry on
    /// the revocation list outlives the presented token, whose expiry is at most one lifetime away.
    /// </summary>
    public Task LogoutAsync(Guid sessionId, CancellationToken cancellationToken) =>
        EndSessionAsync(sessionId, time.GetUtcNow(), cancellationToken);

    /// <summary>Logout everywhere: every session the user has, on every device, stops working now.</summary>
    public async Task LogoutEverywhereAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sessions = await db.RefreshTokens
            .Where(t => t.UserId == userId && t.RevokedAt == null)
            .Select(t => t.FamilyId)
            .Distinct()
            .ToListAsync(cancellationToken);
        foreach (var session in sessions)
        {
            await EndSessionAsync(session, now, cancellationToken);
        }

        // Also covers sessions the revocation list no longer remembers (a restarted in-memory cache).
        await users.EndAllSessionsAsync(userId, cancellationToken);
    }

    /// <summary>
    /// Deletes the refresh tokens of every session that can no longer matter: it passed its absolute end,
    /// or it was revoked, and no access token of it can still be valid. Each login sweeps, the way the
    /// Google hand-off codes are swept when one is issued, so the table holds the live sessions and the
    /// recent revocations rather than every session ever started. A live session keeps its spent tokens:
    /// presenting one of them is how reuse is detected.
    /// </summary>
    /// <remarks>Housekeeping only: the login has succeeded before it runs, and a failure is logged, not thrown.</remarks>
    private async Task DeleteEndedSessionsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var endedBefore = now - TokenRevocationList.RevocationMatters(_options.AccessTokenLifetime);
        try
        {
            // Whole sessions only: a token stored after its session was revoked stays refused only while a
            // revoked row of its session remains beside it.
            await db.RefreshTokens
                .Where(t => t.SessionExpiresAt < endedBefore
                    || db.RefreshTokens.Any(other => other.FamilyId == t.FamilyId && other.RevokedAt < endedBefore))
                .ExecuteDeleteAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogSweepFailed(logger, exception);
        }
    }

    private async Task EndSessionAsync(Guid sessionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.RefreshTokens
            .Where(t => t.FamilyId == sessionId && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), cancellationToken);
        await revocations.RevokeSessionAsync(sessionId, now + _options.AccessTokenLifetime, cancellationToken);
    }

    private string CreateAccessToken(User user, DateTimeOffset authTime, Guid sessionId, DateTimeOffset now)
    {
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = user.Id.ToString(),
            [JwtRegisteredClaimNames.Jti] = Guid.CreateVersion7(now).ToString("N"),
            [JwtRegisteredClaimNames.AuthTime] = authTime.ToUnixTimeSeconds(),
            [SessionIdClaim] = sessionId.ToString("N"),
            [ApiClaimTypes.Email] = user.Email,
        };
        if (user.Roles.Count > 0)
        {
            claims[ApiClaimTypes.Role] = user.Roles.ToArray();
        }

        return TokenWriter.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = AccessTokenType,
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + _options.AccessTokenLifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = signingKey.Credentials,
        });
    }

    private TokenPair Pair(string accessToken, string refreshToken) =>
        new(accessToken, refreshToken, (int)_options.AccessTokenLifetime.TotalSeconds, "Bearer");

    private RefreshToken NewRefreshToken(Guid userId, Guid familyId, DateTimeOffset authTime, DateTimeOffset now, DateTimeOffset sessionExpiresAt, out string value)
    {
        value = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RefreshTokenBytes));
        var expiresAt = now + _options.RefreshTokenLifetime;
        return new RefreshToken
        {
            Id = Guid.CreateVersion7(now),
            FamilyId = familyId,
            UserId = userId,
            TokenHash = Hash(value),
            CreatedAt = now,
            ExpiresAt = expiresAt < sessionExpiresAt ? expiresAt : sessionExpiresAt,
            SessionExpiresAt = sessionExpiresAt,
            AuthTime = authTime,
        };
    }

    private static byte[] Hash(string refreshToken) => SHA256.HashData(Encoding.ASCII.GetBytes(refreshToken));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting ended sessions' refresh tokens failed; the next login tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A spent refresh token was presented again; session {SessionId} of user {UserId} is revoked")]
    private static partial void LogRefreshTokenReuse(ILogger logger, Guid sessionId, Guid userId);
}

/// <summary>The token pair body of every endpoint that signs someone in.</summary>
public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn, string TokenType);

/// <summary>A refresh's outcome: a new pair, or none, because the token was spent within the reuse leeway or is no good.</summary>
public sealed record RefreshResult(TokenPair? Pair, bool SpentJustBefore)
{
    public static readonly RefreshResult Refused = new(null, SpentJustBefore: false);

    public static readonly RefreshResult SpentConcurrently = new(null, SpentJustBefore: true);
}
