using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace AuthApiTemplate.Auth.Jwt;

/// <summary>The HS256 key the app signs and validates its access tokens with.</summary>
public sealed class JwtSigningKey
{
    public const int MinimumBytes = 32;

    // Strings that show up in tutorials and sample configuration (six characters or more, so that a
    // random key contains one by chance about once in a billion); a key containing one was not generated.
    private static readonly string[] PlaceholderMarkers =
    [
        "changeme", "change-me", "change_me", "placeholder", "replace", "your-", "your_", "yoursecret", "secret",
        "example", "sample", "default", "insert", "password", "signingkey", "xxxxxxxx", "12345678", "abcdefgh",
    ];

    public JwtSigningKey(IOptions<JwtOptions> options)
    {
        if (!TryDecode(options.Value.SigningKey, out var bytes, out var problem))
        {
            throw new InvalidOperationException($"{JwtOptions.SectionName}:{nameof(JwtOptions.SigningKey)} {problem}");
        }

        Key = new SymmetricSecurityKey(bytes) { KeyId = null };
        Credentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256);
    }

    public SymmetricSecurityKey Key { get; }

    public SigningCredentials Credentials { get; }

    public static bool TryDecode(string? configured, [NotNullWhen(true)] out byte[]? key, [NotNullWhen(false)] out string? problem)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(configured))
        {
            problem = "is missing.";
            return false;
        }

        var lowered = configured.ToLowerInvariant();
        if (PlaceholderMarkers.Any(marker => lowered.Contains(marker, StringComparison.Ordinal)))
        {
            problem = "is a placeholder, not a generated key.";
            return false;
        }

        var buffer = new byte[configured.Length];
        if (!Convert.TryFromBase64String(configured.Trim(), buffer, out var length))
        {
            problem = "is not base64.";
            return false;
        }

        if (length < MinimumBytes)
        {
            problem = $"is {length} bytes; HS256 needs at least {MinimumBytes} random bytes.";
            return false;
        }

        // Random bytes are varied; "AAAA…", repeated words and counting sequences are not.
        if (buffer.AsSpan(0, length).ToArray().Distinct().Count() < 12)
        {
            problem = "is a placeholder, not a generated key (its bytes barely vary).";
            return false;
        }

        key = buffer[..length];
        problem = null;
        return true;
    }
}
