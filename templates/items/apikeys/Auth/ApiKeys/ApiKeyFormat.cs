using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace AuthApiTemplate.Auth.ApiKeys;

/// <summary>
/// Keys look like <c>ak_</c> + 43 base62 characters (256 bits from the CSPRNG) + a 6-character
/// checksum. The checksum lets a typo, a truncated paste or a made-up key be refused before any
/// cache or database lookup, and lets secret scanners tell real keys from look-alikes.
/// </summary>
public static class ApiKeyFormat
{
    public const int SecretBytes = 32;
    public const int BodyLength = 43;
    public const int ChecksumLength = 6;
    public const int DisplayLength = 8;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string NewKey(string prefix)
    {
        var body = Base62(RandomNumberGenerator.GetBytes(SecretBytes), BodyLength);
        return $"{prefix}_{body}{Checksum(prefix, body)}";
    }

    /// <summary>True when <paramref name="key"/> has our prefix, length, alphabet and a matching checksum.</summary>
    public static bool IsWellFormed(string key, string prefix)
    {
        if (key.Length != prefix.Length + 1 + BodyLength + ChecksumLength
            || !key.StartsWith(prefix, StringComparison.Ordinal) || key[prefix.Length] != '_')
        {
            return false;
        }

        var body = key.AsSpan(prefix.Length + 1, BodyLength);
        var checksum = key.AsSpan(prefix.Length + 1 + BodyLength);
        foreach (var character in key.AsSpan(prefix.Length + 1))
        {
            if (!char.IsAsciiLetterOrDigit(character))
            {
                return false;
            }
        }

        return checksum.SequenceEqual(Checksum(prefix, body.ToString()));
    }

    /// <summary>The non-secret start of a key, safe to show, store and log.</summary>
    public static string DisplayPrefix(string key, string prefix) => key[..(prefix.Length + 1 + DisplayLength)];

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.ASCII.GetBytes(key));

    private static string Checksum(string prefix, string body)
    {
        var digest = SHA256.HashData(Encoding.ASCII.GetBytes(prefix + "_" + body));
        return Base62(digest.AsSpan(0, 5).ToArray(), ChecksumLength);
    }

    private static string Base62(byte[] bytes, int length)
    {
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var characters = new char[length];
        for (var i = length - 1; i >= 0; i--)
        {
            characters[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }

        return new string(characters);
    }
}
