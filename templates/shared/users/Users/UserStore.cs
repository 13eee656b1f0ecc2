using System.ComponentModel.DataAnnotations;
using AuthApiTemplate.Data;
using Microsoft.EntityFrameworkCore;

namespace AuthApiTemplate.Users;

/// <summary>What every authenticated request needs to know about its user, cached between changes.</summary>
/// <remarks>
/// Marked immutable so that HybridCache hands out the cached instance itself; for a type it cannot prove
/// immutable it deserializes a fresh copy on every read, which would be every authenticated request.
/// </remarks>
[System.ComponentModel.ImmutableObject(true)]
public sealed record UserSecurityState(bool Exists, bool Disabled, DateTimeOffset? SessionsValidAfter)
{
    public static readonly UserSecurityState Missing = new(false, true, null);

    /// <summary>True when a session that started at <paramref name="sessionStart"/> may still be used.</summary>
    public bool Allows(DateTimeOffset sessionStart) =>
        Exists && !Disabled && (SessionsValidAfter is null || sessionStart >= SessionsValidAfter);

    // How far ahead of the clock a cut-off may date a sign-in (see EndAllSessionsAsync); one further ahead,
    // which no logout writes, is not trusted to date anything.
    private static readonly TimeSpan MaxCutOffAhead = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The whole second a session starting <paramref name="now"/> is dated to: this one, or the cut-off when a
    /// logout of every session earlier in this second put it ahead.
    /// </summary>
    public static DateTimeOffset SessionStartFor(DateTimeOffset now, DateTimeOffset? sessionsValidAfter)
    {
        var second = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        if (sessionsValidAfter is { } cutOff && cutOff > second)
        {
            var start = WholeSecondAtOrAfter(cutOff);
            if (start - now <= MaxCutOffAhead)
            {
                return start;
            }
        }

        return second;
    }

    public static DateTimeOffset WholeSecondAtOrAfter(DateTimeOffset instant)
    {
        var second = DateTimeOffset.FromUnixTimeSeconds(instant.ToUnixTimeSeconds());
        return second == instant ? instant : second.AddSeconds(1);
    }
}

public sealed class UserStore(UsersDbContext db, UserSecurityStates states, TimeProvider time)
{
    private static readonly EmailAddressAttribute EmailFormat = new();

    public Task<User?> FindByIdAsync(Guid id, CancellationToken cancellationToken) =>
        db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken);

    public Task<User?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        var normalized = User.Normalize(email);
        return db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
    }

    public Task<User?> FindByGoogleSubjectAsync(string subject, CancellationToken cancellationToken) =>
        db.Users.FirstOrDefaultAsync(u => u.GoogleSubject == subject, cancellationToken);

    public Task<User> CreateAsync(string email, IEnumerable<string> roles, string? displayName, CancellationToken cancellationToken) =>
        CreateAsync(email, roles, displayName, googleSubject: null, cancellationToken);

    public async Task<User> CreateAsync(string email, IEnumerable<string> roles, string? displayName, string? googleSubject, CancellationToken cancellationToken)
    {
        var trimmed = email.Trim();
        if (trimmed.Length > User.EmailMaxLength || !EmailFormat.IsValid(trimmed))
        {
            throw new UserStoreException($"'{email}' is not a valid email address.");
        }

        var roleList = roles.Select(r => r.Trim()).Where(r => r.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (roleList.FirstOrDefault(r => r.Length > User.RoleMaxLength || r.Any(char.IsWhiteSpace)) is { } badRole)
        {
            throw new UserStoreException($"'{badRole}' is not a valid role name.");
        }

        if (await FindByEmailAsync(trimmed, cancellationToken) is not null)
        {
            throw new UserStoreException($"A user with the email '{trimmed}' already exists.");
        }

        var now = time.GetUtcNow();
        var user = new User
        {
            Id = Guid.CreateVersion7(now),
            Email = trimmed,
            NormalizedEmail = User.Normalize(trimmed),
            DisplayName = displayName,
            Roles = roleList,
            GoogleSubject = googleSubject,
            CreatedAt = now,
        };
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseFailure.Classify(exception) == DatabaseFailureKind.Conflict)
        {
            throw new UserStoreException($"A user with the email '{trimmed}' already exists.", exception);
        }

        await ForgetStateAsync(user.Id, cancellationToken);
        return user;
    }

    public async Task<User> AddRoleAsync(string email, string role, CancellationToken cancellationToken)
    {
        var user = await FindByEmailAsync(email, cancellationToken) ?? throw new UserStoreException($"No user has the email '{email}'.");
        if (!user.Roles.Contains(role, StringComparer.Ordinal))
        {
            user.Roles = [.. user.Roles, role];
            await db.SaveChangesAsync(cancellationToken);
        }

        return user;
    }

    /// <summary>
    /// Binds a Google account to an existing user, only if no Google account is bound yet: a
    /// conditional update, so two concurrent first sign-ins cannot both bind.
    /// </summary>
    public async Task<bool> LinkGoogleSubjectAsync(Guid userId, string googleSubject, CancellationToken cancellationToken)
    {
        var linked = await db.Users.Where(u => u.Id == userId && u.GoogleSubject == null)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.GoogleSubject, googleSubject), cancellationToken);
        return linked == 1;
    }

    public async Task SetDisabledAsync(Guid userId, bool disabled, CancellationToken cancellationToken)
    {
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.Disabled, disabled), cancellationToken);
        await ForgetStateAsync(userId, cancellationToken);
    }

    /// <summary>Ends every session the user has now; sessions started later are unaffected.</summary>
    /// <remarks>
    /// A session's start is known to the whole second only (a token's <c>auth_time</c>), so the cut-off is
    /// the next whole second: a session started earlier in this second ends too, and a login later in this
    /// second is dated to the cut-off (see <see cref="UserSecurityState.SessionStartFor"/>). A second logout
    /// in that second moves the cut-off one second further, past the sessions dated to the first one.
    /// </remarks>
    public async Task EndAllSessionsAsync(Guid userId, CancellationToken cancellationToken)
    {
        var cutOff = UserSecurityState.WholeSecondAtOrAfter(time.GetUtcNow());
        var earlier = await db.Users.Where(u => u.Id == userId).Select(u => u.SessionsValidAfter).FirstOrDefaultAsync(cancellationToken);
        if (earlier is { } previous && previous >= cutOff)
        {
            cutOff = UserSecurityState.WholeSecondAtOrAfter(previous).AddSeconds(1);
        }

        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.SessionsValidAfter, cutOff), cancellationToken);
        await ForgetStateAsync(userId, cancellationToken);
    }

    private ValueTask ForgetStateAsync(Guid userId, CancellationToken cancellationToken) =>
        states.ForgetAsync(userId, cancellationToken);
}

/// <summary>A request to the user store that cannot be carried out, with a message fit for the caller.</summary>
public sealed class UserStoreException(string message, Exception? innerException = null) : Exception(message, innerException);
