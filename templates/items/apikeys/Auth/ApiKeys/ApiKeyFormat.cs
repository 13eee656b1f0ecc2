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
    /// <remarks>Runs on every request that presents a key, so it works on the stack: no strings, no arrays.</remarks>
    public static bool IsWellFormed(string key, string prefix)
    {
        if (key.Length != prefix.Length + 1 + BodyLength + ChecksumLength
            || !key.StartsWith(prefix, StringComparison.Ordinal) || key[prefix.Length] != '_')
        {
            return false;
        }

        foreach (var character in key.AsSpan(prefix.Length + 1))
        {
            if (!char.IsAsciiLetterOrDigit(character))
            {
                return false;
            }
        }

        // The checksum covers "<prefix>_<body>", which is the key without its last ChecksumLength characters.
        Span<char> expected = stackalloc char[ChecksumLength];
        WriteChecksum(key.AsSpan(0, key.Length - ChecksumLength), expected);
        return key.AsSpan(key.Length - ChecksumLength).SequenceEqual(expected);
    }

    /// <summary>The non-secret start of a key, safe to show, store and log.</summary>
    public static string DisplayPrefix(string key, string prefix) => key[..(prefix.Length + 1 + DisplayLength)];

    public static byte[] Hash(string key)
    {
        // Well-formed keys are short ASCII; a longer string (never a valid key) takes the heap path.
        Span<byte> ascii = key.Length <= 256 ? stackalloc byte[key.Length] : new byte[key.Length];
        Encoding.ASCII.GetBytes(key, ascii);
        return SHA256.HashData(ascii);
    }

    private static string Checksum(string prefix, string body)
    {
        Span<char> checksum = stackalloc char[ChecksumLength];
        WriteChecksum($"{prefix}_{body}", checksum);
        return new string(checksum);
    }

    /// <summary>
    /// The first 40 bits of SHA-256(<paramref name="text"/>), big-endian, as <see cref="ChecksumLength"/> base62
    /// digits (the low-order ones: 62^6 is less than 2^40).
    /// </summary>
    private static void WriteChecksum(ReadOnlySpan<char> text, Span<char> destination)
    {
        Span<byte> ascii = text.Length <= 256 ? stackalloc byte[text.Length] : new byte[text.Length];
        Encoding.ASCII.GetBytes(text, ascii);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(ascii, digest);
        ulong value = 0;
        for (var i = 0; i < 5; i++)
        {
            value = (value << 8) | digest[i];
        }

        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }
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
