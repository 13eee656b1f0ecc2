namespace AuthApiTemplate.Infrastructure.Https;

public sealed class HttpsOptions
{
    public const string SectionName = "Https";

    /// <summary>
    /// The app is reached only through a proxy that terminates TLS and itself redirects plain HTTP and sends
    /// <c>Strict-Transport-Security</c>; the app then does neither (it may not even know the public HTTPS port).
    /// </summary>
    public bool TerminatedByProxy { get; set; }
}
