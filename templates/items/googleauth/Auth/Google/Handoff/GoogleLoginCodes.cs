using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace AuthApiTemplate.Auth.Google.Handoff;

public sealed class GoogleLoginCodes(GoogleHandoffDbContext db, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    // 256 bits from the CSPRNG, base64url without padding.
    private const int CodeBytes = 32;
    private const int CodeLength = 43;

    public async Task<string> CreateAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Codes live a minute; whatever is a day past expiry is only clutter.
        var cutoff = now - TimeSpan.FromDays(1);
        await db.LoginCodes.Where(c => c.ExpiresAt < cutoff).ExecuteDeleteAsync(cancellationToken);

        var value = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(CodeBytes));
        db.LoginCodes.Add(new GoogleLoginCode { CodeHash = Hash(value), UserId = userId, CreatedAt = now, ExpiresAt = now + Lifetime });
        await db.SaveChangesAsync(cancellationToken);
        return value;
    }

    /// <summary>
    /// Records that the hand-off cookie with this id has served its page: true the first time, false for
    /// any copy of it after. The record is a row of its own (a hash no login code can have), kept as long as
    /// the cookie could be valid.
    /// </summary>
    public async Task<bool> SpendHandoffAsync(string handoffId, Guid userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        db.LoginCodes.Add(new GoogleLoginCode
        {
            CodeHash = Hash("handoff:" + handoffId),
            UserId = userId,
            CreatedAt = now,
            ExpiresAt = now + GoogleSignInMode.HandoffLifetime,
            UsedAt = now,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException exception) when (Data.DatabaseFailure.IsLostRace(exception))
        {
            return false;
        }
    }

    /// <summary>Spends a code: the user it was issued to, or null when it is unknown, used or expired.</summary>
    public async Task<Guid?> RedeemAsync(string? code, CancellationToken cancellationToken)
    {
        if (code is not { Length: CodeLength })
        {
            return null;
        }

        var hash = Hash(code);
        var now = time.GetUtcNow();
        var spent = await db.LoginCodes
            .Where(c => c.CodeHash == hash && c.UsedAt == null && c.ExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.UsedAt, now), cancellationToken);
        if (spent == 0)
        {
            return null;
        }

        return await db.LoginCodes.Where(c => c.CodeHash == hash).Select(c => c.UserId).FirstAsync(cancellationToken);
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.ASCII.GetBytes(value));
}
