using AuthApiTemplate.Users;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.Google;

/// <summary>What Google told us about the person signing in, from the userinfo endpoint or an ID token.</summary>
public sealed record GoogleIdentity(string Subject, string? Email, bool EmailVerified, string? HostedDomain, string? Name);

/// <summary>Why a Google account may not sign in; the name is the error code the client sees.</summary>
public enum GoogleSignInRefusal
{
    EmailNotVerified,
    NoAccount,
    AccountDisabled,
    WrongHostedDomain,
    AccountConflict,
    EmailNotVouchedFor,
    SignUpNotAllowed,
}

public static class GoogleSignInRefusals
{
    public static string Code(this GoogleSignInRefusal refusal) => refusal switch
    {
        GoogleSignInRefusal.EmailNotVerified => "email_not_verified",
        GoogleSignInRefusal.NoAccount => "no_account",
        GoogleSignInRefusal.AccountDisabled => "account_disabled",
        GoogleSignInRefusal.WrongHostedDomain => "wrong_hosted_domain",
        GoogleSignInRefusal.EmailNotVouchedFor => "email_not_vouched_for",
        GoogleSignInRefusal.SignUpNotAllowed => "signup_not_allowed",
        _ => "account_conflict",
    };

    public static string Describe(this GoogleSignInRefusal refusal) => refusal switch
    {
        GoogleSignInRefusal.EmailNotVerified => "Google has not verified this account's email address.",
        GoogleSignInRefusal.NoAccount => "No account exists for this Google account, and accounts are not created automatically.",
        GoogleSignInRefusal.AccountDisabled => "This account is disabled.",
        GoogleSignInRefusal.WrongHostedDomain => "This Google account does not belong to the allowed Google Workspace domain.",
        GoogleSignInRefusal.EmailNotVouchedFor => "An account with this email address exists, but Google vouches only for Gmail and Google Workspace addresses, so it is not linked to this Google account.",
        GoogleSignInRefusal.SignUpNotAllowed => "No account exists for this Google account, and its domain and email address are not among those allowed to sign up.",
        _ => "The account with this email address is already bound to another Google account.",
    };
}

/// <summary>
/// Turns a Google identity into one of our users. The key is Google's <c>sub</c>; only identities whose
/// email Google has verified sign in, and a first sign-in links an existing user of the same email only
/// when Google is the authority for that address (Gmail, or the domain of a Google Workspace account).
/// Creating a user is sign-up, which <c>AllowedDomains</c> and <c>AllowedEmails</c> may limit; users
/// that exist already are not subject to those lists.
/// </summary>
public sealed partial class GoogleAccounts(UserStore users, IOptions<GoogleSignInOptions> options, ILogger<GoogleAccounts> logger)
{
    private readonly GoogleSignInOptions _options = options.Value;

    public async Task<(User? User, GoogleSignInRefusal? Refusal)> SignInAsync(GoogleIdentity identity, CancellationToken cancellationToken)
    {
        // Google's sub is the key, but an identity whose email Google has not verified is not accepted at all.
        if (!identity.EmailVerified)
        {
            return Refuse(GoogleSignInRefusal.EmailNotVerified);
        }

        if (_options.HostedDomain is { Length: > 0 } domain
            && !string.Equals(identity.HostedDomain, domain, StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(GoogleSignInRefusal.WrongHostedDomain);
        }

        var (user, refusal) = await users.FindByGoogleSubjectAsync(identity.Subject, cancellationToken) is { } known
            ? (known, null)
            : await BindOrCreateAsync(identity, cancellationToken);
        if (user is null)
        {
            return Refuse(refusal ?? GoogleSignInRefusal.AccountConflict);
        }

        return user.Disabled ? Refuse(GoogleSignInRefusal.AccountDisabled) : (user, null);
    }

    private async Task<(User?, GoogleSignInRefusal?)> BindOrCreateAsync(GoogleIdentity identity, CancellationToken cancellationToken)
    {
        if (identity.Email is not { Length: > 0 } email)
        {
            return (null, GoogleSignInRefusal.EmailNotVerified);
        }

        if (await users.FindByEmailAsync(email, cancellationToken) is { } existing)
        {
            if (existing.GoogleSubject is null && !GoogleVouchesFor(email, identity.HostedDomain))
            {
                // email_verified says the address was verified once: a consumer Google account made on an
                // address that later changed hands would take over the account it names.
                return (null, GoogleSignInRefusal.EmailNotVouchedFor);
            }

            if (existing.GoogleSubject is not null || !await users.LinkGoogleSubjectAsync(existing.Id, identity.Subject, cancellationToken))
            {
                // Bound to another Google account, or bound just now by a concurrent first sign-in of this one.
                return (await users.FindByGoogleSubjectAsync(identity.Subject, cancellationToken), GoogleSignInRefusal.AccountConflict);
            }

            LogLinked(logger, existing.Id);
            existing.GoogleSubject = identity.Subject;
            return (existing, null);
        }

        if (!_options.AutoCreateUsers)
        {
            return (null, GoogleSignInRefusal.NoAccount);
        }

        if (!MaySignUp(identity, email))
        {
            // Refused before anything is written: an outsider leaves no user row behind.
            return (null, GoogleSignInRefusal.SignUpNotAllowed);
        }

        try
        {
            var created = await users.CreateAsync(email, _options.DefaultRoles, identity.Name, identity.Subject, cancellationToken);
            LogCreated(logger, created.Id);
            return (created, null);
        }
        catch (UserStoreException)
        {
            // A concurrent first sign-in of the same account created it a moment ago.
            return (await users.FindByGoogleSubjectAsync(identity.Subject, cancellationToken), GoogleSignInRefusal.AccountConflict);
        }
    }

    /// <summary>
    /// Whether the account may create a user: always, unless <c>AllowedDomains</c> or <c>AllowedEmails</c>
    /// is set. A domain matches the <c>hd</c> claim, or the email's domain only where Google vouches for the
    /// address: a consumer Google account on a company address proves the address was verified once, not
    /// that its holder belongs to the company today. An allowed email needs only Google's verification,
    /// which every sign-in already has.
    /// </summary>
    private bool MaySignUp(GoogleIdentity identity, string email)
    {
        if (!_options.RestrictsSignUp)
        {
            return true;
        }

        if (identity.HostedDomain is { Length: > 0 } hostedDomain && _options.AllowedDomains.Contains(hostedDomain, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        var trimmed = email.Trim();
        return (GoogleVouchesFor(trimmed, identity.HostedDomain) && _options.AllowedDomains.Contains(DomainOf(trimmed), StringComparer.OrdinalIgnoreCase))
            || _options.AllowedEmails.Contains(trimmed, StringComparer.OrdinalIgnoreCase);
    }

    private static string DomainOf(string email)
    {
        var at = email.LastIndexOf('@');
        return at >= 0 ? email[(at + 1)..] : "";
    }

    /// <summary>
    /// Whether Google is the authority for the address itself, as it is for Gmail and for the domain of a
    /// Google Workspace account (the <c>hd</c> claim); only then may a verified email link an existing user.
    /// </summary>
    internal static bool GoogleVouchesFor(string email, string? hostedDomain)
    {
        var domain = DomainOf(email);
        return domain.Equals("gmail.com", StringComparison.OrdinalIgnoreCase)
            || domain.Equals("googlemail.com", StringComparison.OrdinalIgnoreCase)
            || (hostedDomain is { Length: > 0 } && domain.Equals(hostedDomain, StringComparison.OrdinalIgnoreCase));
    }

    // The caller logs the refusal with its request's client and trace id.
    private static (User?, GoogleSignInRefusal?) Refuse(GoogleSignInRefusal refusal) => (null, refusal);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Google sign-in bound a Google account to existing user {UserId} (verified email)")]
    private static partial void LogLinked(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Google sign-in created user {UserId}")]
    private static partial void LogCreated(ILogger logger, Guid userId);
}
