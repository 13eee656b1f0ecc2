using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthApiTemplate.Auth.Google;

/// <summary>
/// Verifies a Google Identity Services ID token: RS256 signature by one of Google's published keys,
/// issuer, audience = our client id, expiry. Keys named inside the token (jku, jwk, x5u) are never used.
/// </summary>
public sealed class GoogleIdTokenValidator(GoogleSigningKeys keys, IOptions<GoogleSignInOptions> options, TimeProvider time)
{
    public static readonly string[] Issuers = ["https://accounts.google.com", "accounts.google.com"];

    /// <summary>Google's ID tokens are about 1 KB; anything far larger is not one.</summary>
    public const int MaximumLength = 16 * 1024;

    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <returns>The identity, or null when the token is not a valid Google ID token for this app.</returns>
    public async Task<GoogleIdentity?> ValidateAsync(string? credential, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(credential) || credential.Length > MaximumLength || !options.Value.IsConfigured)
        {
            return null;
        }

        // Decided before Google's keys are fetched: text that is not an RS256 token from Google for this app
        // costs no outbound request, and a key outage cannot turn it into a 503.
        if (!ClaimsToBeGooglesForThisApp(credential))
        {
            return null;
        }

        var result = await ValidateWithAsync(credential, await keys.GetAsync(cancellationToken));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException
            && await keys.RefreshForUnknownKeyAsync(cancellationToken) is { } refreshed)
        {
            result = await ValidateWithAsync(credential, refreshed);
        }

        if (!result.IsValid || result.SecurityToken is not JsonWebToken token
            || !token.TryGetPayloadValue<string>("sub", out var subject) || string.IsNullOrEmpty(subject))
        {
            return null;
        }

        return new GoogleIdentity(
            subject,
            token.TryGetPayloadValue<string>("email", out var email) ? email : null,
            IsTrue(token, "email_verified"),
            token.TryGetPayloadValue<string>("hd", out var hostedDomain) ? hostedDomain : null,
            token.TryGetPayloadValue<string>("name", out var name) ? name : null);
    }

    /// <summary>What the token says of itself, unverified: only a shortcut to refusal, never to acceptance.</summary>
    private bool ClaimsToBeGooglesForThisApp(string credential)
    {
        if (!_handler.CanReadToken(credential))
        {
            return false;
        }

        try
        {
            var unverified = _handler.ReadJsonWebToken(credential);
            return unverified.Alg == SecurityAlgorithms.RsaSha256
                && Issuers.Contains(unverified.Issuer, StringComparer.Ordinal)
                && unverified.Audiences.Contains(options.Value.ClientId, StringComparer.Ordinal);
        }
        catch (ArgumentException)
        {
            // SecurityTokenMalformedException: the parts are not base64url JSON.
            return false;
        }
    }

    private Task<TokenValidationResult> ValidateWithAsync(string credential, IReadOnlyList<SecurityKey> signingKeys) =>
        _handler.ValidateTokenAsync(credential, new TokenValidationParameters
        {
            ValidIssuers = Issuers,
            ValidAudience = options.Value.ClientId,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            IssuerSigningKeys = signingKeys,
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            LifetimeValidator = IsCurrent,
            ValidateIssuerSigningKey = true,
        });

    private bool IsCurrent(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return expires is { } exp && now < exp + ClockSkew && (notBefore is not { } nbf || nbf <= now + ClockSkew);
    }

    // Google sends email_verified as a JSON boolean; some issuers send the string "true".
    private static bool IsTrue(JsonWebToken token, string claim) =>
        (token.TryGetPayloadValue<bool>(claim, out var flag) && flag)
        || (token.TryGetPayloadValue<string>(claim, out var text) && string.Equals(text, "true", StringComparison.OrdinalIgnoreCase));
}
