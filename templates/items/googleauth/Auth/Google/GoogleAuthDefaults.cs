namespace AuthApiTemplate.Auth.Google;

public static class GoogleAuthDefaults
{
    /// <summary>The named HttpClient for every call to Google (token, userinfo, keys); tests point it at a stand-in.</summary>
    public const string HttpClientName = "Google";

    public const string LoginRateLimitPolicy = "login";

    /// <summary>The error codes a failed redirect flow ends with (the only values ever put in <c>?error=</c>).</summary>
    public const string AccessDenied = "access_denied";
    public const string InvalidState = "invalid_state";
    public const string SignInFailed = "sign_in_failed";
}
