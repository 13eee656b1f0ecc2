using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace AuthApiTemplate.Auth.Google;

/// <summary>
/// Google's published signing keys (JWKS), cached for as long as Google's Cache-Control allows (an
/// hour when it says nothing), refreshed early when a token names a key we do not know, but never more
/// than once a minute: a flood of tokens with made-up key ids cannot make us hammer Google.
/// </summary>
public sealed class GoogleSigningKeys(IHttpClientFactory clients, IOptions<GoogleSignInOptions> options, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaximumLifetime = TimeSpan.FromDays(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private KeySet? _current;

    public async ValueTask<IReadOnlyList<SecurityKey>> GetAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && time.GetUtcNow() < current.ExpiresAt)
        {
            return current.Keys;
        }

        return (await RefreshAsync(current, force: false, cancellationToken)).Keys;
    }

    /// <summary>Fetches the keys again unless that happened less than a minute ago; null when it did.</summary>
    public async ValueTask<IReadOnlyList<SecurityKey>?> RefreshForUnknownKeyAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && time.GetUtcNow() - current.FetchedAt < MinimumRefreshInterval)
        {
            return null;
        }

        var refreshed = await RefreshAsync(current, force: true, cancellationToken);
        return ReferenceEquals(refreshed, current) ? null : refreshed.Keys;
    }

    private async Task<KeySet> RefreshAsync(KeySet? seen, bool force, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var current = _current;
            if (!ReferenceEquals(current, seen) && current is not null)
            {
                return current; // another request refreshed while this one waited
            }

            if (force && current is not null && time.GetUtcNow() - current.FetchedAt < MinimumRefreshInterval)
            {
                return current;
            }

            try
            {
                var fetched = await FetchAsync(cancellationToken);
                Volatile.Write(ref _current, fetched);
                return fetched;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or ArgumentException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                // Google unreachable: keep verifying with the keys we have rather than refusing everyone.
                return current ?? throw new GoogleKeysUnavailableException(exception);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<KeySet> FetchAsync(CancellationToken cancellationToken)
    {
        using var client = clients.CreateClient(GoogleAuthDefaults.HttpClientName);
        using var response = await client.GetAsync(options.Value.JwksUri, cancellationToken);
        response.EnsureSuccessStatusCode();
        var document = await response.Content.ReadAsStringAsync(cancellationToken);
        var keys = new JsonWebKeySet(document).GetSigningKeys();
        var now = time.GetUtcNow();
        return new KeySet([.. keys], now, now + Lifetime(response.Headers.CacheControl));
    }

    private static TimeSpan Lifetime(CacheControlHeaderValue? cacheControl) =>
        cacheControl?.MaxAge is { } maxAge && maxAge > TimeSpan.Zero
            ? (maxAge < MaximumLifetime ? maxAge : MaximumLifetime)
            : DefaultLifetime;

    public void Dispose() => _gate.Dispose();

    private sealed record KeySet(IReadOnlyList<SecurityKey> Keys, DateTimeOffset FetchedAt, DateTimeOffset ExpiresAt);
}

/// <summary>Google's keys could not be fetched and none are cached: ID tokens cannot be verified now.</summary>
public sealed class GoogleKeysUnavailableException(Exception innerException)
    : Exception("Google's signing keys cannot be fetched.", innerException);
