using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthApiTemplate.Auth.Jwt;

/// <summary>
/// Remembers tokens that passed full validation, keyed by the exact token text, until they expire.
/// A client sends the same access token on every request for its whole life, so parsing, the HMAC
/// and claim mapping run once per token instead of once per request. Any change to the text (a
/// flipped bit, another header) is a different key and is validated from scratch; only successes are
/// stored, so an attacker cannot fill the cache. Revocation and user checks still run per request.
/// </summary>
public sealed class CachingJsonWebTokenHandler(IMemoryCache cache, TimeProvider time) : JsonWebTokenHandler
{
    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (cache.TryGetValue(token, out CachedValidation? cached) && cached is not null && time.GetUtcNow() < cached.ExpiresAt)
        {
            return new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = cached.SecurityToken,
                // Each request gets its own identity: claims transformation may add to it.
                ClaimsIdentity = cached.Identity.Clone(),
                Issuer = cached.Issuer,
                TokenType = cached.TokenType,
            };
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt && result.ClaimsIdentity is { } identity)
        {
            var expiresAt = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
            cache.Set(
                token,
                new CachedValidation(jwt, identity.Clone(), result.Issuer, result.TokenType, expiresAt),
                new MemoryCacheEntryOptions { AbsoluteExpiration = expiresAt, Size = 1 });
        }

        return result;
    }

    private sealed record CachedValidation(SecurityToken SecurityToken, ClaimsIdentity Identity, string Issuer, string TokenType, DateTimeOffset ExpiresAt);
}
